// Open MPI, loaded at run time so that textvae builds and runs without it. Not a public API.
//
// Why dlopen and not a link: most users train on one machine and have no MPI
// installed. This header declares no MPI type and CMPI.c includes no <mpi.h>,
// so the package builds where no MPI header or library exists; only a run that
// asks for MPI needs Open MPI (apt-get install openmpi-bin libopenmpi-dev).
#ifndef TEXTVAE_CMPI_H
#define TEXTVAE_CMPI_H

/// Returned by the functions below when tvmpi_load has not succeeded, or MPI is
/// not initialised (or already finalised). MPI's own error codes are >= 0.
#define TVMPI_NOT_READY (-1)
/// Returned for a negative count.
#define TVMPI_BAD_ARGUMENT (-2)

/// Loads libmpi (Open MPI) and looks up the functions and predefined handles.
/// Returns 0 on success; on failure writes a message into `message` and returns
/// non-zero. Calling it again after a success does nothing and returns 0.
int tvmpi_load(char *message, int message_capacity);

/// MPI_Init(NULL, NULL), unless MPI is already initialised. Returns MPI's error
/// code (0 is success). MPI may be initialised once per process.
int tvmpi_init(void);

/// This process's rank in MPI_COMM_WORLD, or -1 if MPI is not ready.
int tvmpi_rank(void);
/// The number of processes in MPI_COMM_WORLD, or -1 if MPI is not ready.
int tvmpi_size(void);

/// Sums `buffer` element-wise over all ranks, in place: afterwards every rank
/// holds the same sums. Every rank must call it with the same count.
int tvmpi_allreduce_sum_float(float *buffer, long count);

/// Sums `values` (the same count on every rank) element-wise over all ranks,
/// in place, as far as rank r's part goes: afterwards values[displacements[r]
/// ..< + counts[r]] holds the sums there; the rest holds partial sums.
/// `scratch` holds as many floats as the largest part. Parts are consecutive.
int tvmpi_ring_reduce_scatter_sum_float(float *values, const int *counts, const int *displacements, float *scratch);

/// Every rank's part of `buffer` (rank r's: counts[r] values from
/// displacements[r], which it holds) copied to every other rank, in place.
int tvmpi_allgatherv_float(float *buffer, const int *counts, const int *displacements);
/// The same for doubles.
int tvmpi_allgatherv_double(double *buffer, const int *counts, const int *displacements);

/// Returns when every rank has called it.
int tvmpi_barrier(void);
/// Ends every rank with `code` (MPI_Abort); without MPI, exits this process.
void tvmpi_abort(int code);
/// MPI_Finalize, unless MPI was never initialised or is already finalised.
int tvmpi_finalize(void);

/// MPI_Get_library_version's string (e.g. "Open MPI v4.1.4, ..."), or "" if
/// MPI is not loaded or the library lacks the function.
const char *tvmpi_library_version(void);

#endif
