#define _GNU_SOURCE
#include "CMPI.h"

#include <dlfcn.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>

// No <mpi.h>: textvae must build where MPI is not installed. Open MPI's handles
// (MPI_Comm, MPI_Datatype, MPI_Op) are pointers, so `void *` stands for each.
typedef int (*init_fn)(int *argc, char ***argv);
typedef int (*flag_fn)(int *flag);
typedef int (*finalize_fn)(void);
typedef int (*comm_query_fn)(void *comm, int *result);
typedef int (*allreduce_fn)(const void *send, void *receive, int count, void *datatype, void *op, void *comm);
typedef int (*sendrecv_fn)(const void *send, int send_count, void *send_type, int destination, int send_tag, void *receive,
                           int receive_count, void *receive_type, int source, int receive_tag, void *comm, void *status);
typedef int (*allgatherv_fn)(const void *send, int send_count, void *send_type, void *receive, const int *counts,
                             const int *displacements, void *datatype, void *comm);
typedef int (*barrier_fn)(void *comm);
typedef int (*abort_fn)(void *comm, int code);
typedef int (*version_fn)(char *version, int *length);

static init_fn mpi_init;
static flag_fn mpi_initialized;
static flag_fn mpi_finalized; // optional: only used to avoid finalising twice
static finalize_fn mpi_finalize;
static comm_query_fn mpi_comm_rank;
static comm_query_fn mpi_comm_size;
static allreduce_fn mpi_allreduce;
static sendrecv_fn mpi_sendrecv;
static allgatherv_fn mpi_allgatherv;
static barrier_fn mpi_barrier;
static abort_fn mpi_abort;
static version_fn mpi_get_library_version; // MPI-3; optional

// Open MPI's predefined handles are not constants: <mpi.h> defines MPI_COMM_WORLD
// as the address of the global object ompi_mpi_comm_world, and likewise for the
// datatypes and operations. So the handle is what dlsym returns for that symbol.
static void *comm_world; // ompi_mpi_comm_world
static void *type_float; // ompi_mpi_float
static void *type_double; // ompi_mpi_double
static void *op_sum; // ompi_mpi_op_sum

// Open MPI's <mpi.h>: #define MPI_IN_PLACE ((void *) 1). A fixed sentinel, not a symbol.
#define IN_PLACE ((void *)1)
// Open MPI's <mpi.h>: #define MPI_STATUS_IGNORE ((MPI_Status *) 0).
#define STATUS_IGNORE ((void *)0)

// MPI counts are ints: longer buffers go in pieces of at most this many elements.
// Tests may define a small value to exercise the loop.
#ifndef TVMPI_MAX_CHUNK
#define TVMPI_MAX_CHUNK INT_MAX
#endif

static int loaded;
static int initialised; // set by tvmpi_init, cleared by tvmpi_finalize
static char version[8192]; // MPI_MAX_LIBRARY_VERSION_STRING: 256 in Open MPI, 8192 in MPICH

int tvmpi_load(char *message, int message_capacity) {
    if (loaded) return 0;
    // RTLD_GLOBAL: MPI_Init dlopens Open MPI's components (mca_*.so), and some of them (24 of 120 in
    // Debian's 4.1.4, mca_btl_tcp.so among them) do not list libopen-pal or libmpi as dependencies: they
    // expect those symbols in the global namespace, as when a program links libmpi. (With RTLD_LOCAL, Debian's
    // 4.1.4 happens to work, because earlier components that do list them are loaded globally and
    // drag them in; do not rely on that.) RTLD_NOW: fail here, not at the first call.
    // TEXTVAE_MPI_LIBRARY names another libmpi (an Open MPI built into /opt, say); else Debian's.
    const char *chosen = getenv("TEXTVAE_MPI_LIBRARY");
    const char *names[] = {"libmpi.so.40", "libmpi.so"};
    void *lib = NULL;
    if (chosen != NULL && chosen[0] != 0) {
        lib = dlopen(chosen, RTLD_NOW | RTLD_GLOBAL);
    } else {
        for (unsigned i = 0; i < sizeof names / sizeof names[0] && lib == NULL; i++)
            lib = dlopen(names[i], RTLD_NOW | RTLD_GLOBAL);
    }
    if (lib == NULL) {
        snprintf(message, message_capacity,
                 "cannot load Open MPI (%s); install it with: apt-get install openmpi-bin libopenmpi-dev%s", dlerror(),
                 chosen != NULL && chosen[0] != 0 ? ", or set TEXTVAE_MPI_LIBRARY to its libmpi.so" : "");
        return 1;
    }

    struct { const char *name; void **slot; } required[] = {
        {"MPI_Init", (void **)&mpi_init},
        {"MPI_Initialized", (void **)&mpi_initialized},
        {"MPI_Finalize", (void **)&mpi_finalize},
        {"MPI_Comm_rank", (void **)&mpi_comm_rank},
        {"MPI_Comm_size", (void **)&mpi_comm_size},
        {"MPI_Allreduce", (void **)&mpi_allreduce},
        {"MPI_Sendrecv", (void **)&mpi_sendrecv},
        {"MPI_Allgatherv", (void **)&mpi_allgatherv},
        {"MPI_Barrier", (void **)&mpi_barrier},
        {"MPI_Abort", (void **)&mpi_abort},
        {"ompi_mpi_comm_world", &comm_world},
        {"ompi_mpi_float", &type_float},
        {"ompi_mpi_double", &type_double},
        {"ompi_mpi_op_sum", &op_sum},
    };
    for (unsigned i = 0; i < sizeof required / sizeof required[0]; i++) {
        *required[i].slot = dlsym(lib, required[i].name);
        if (*required[i].slot == NULL) {
            // A libmpi.so without the ompi_ symbols is another MPI (MPICH), whose handles are integer constants.
            snprintf(message, message_capacity,
                     "the loaded libmpi has no %s (is it Open MPI?); install Open MPI with: "
                     "apt-get install openmpi-bin libopenmpi-dev", required[i].name);
            dlclose(lib);
            return 1;
        }
    }
    mpi_finalized = (flag_fn)dlsym(lib, "MPI_Finalized");
    mpi_get_library_version = (version_fn)dlsym(lib, "MPI_Get_library_version");
    loaded = 1;
    return 0;
}

int tvmpi_init(void) {
    if (!loaded) return TVMPI_NOT_READY;
    int already = 0;
    int error = mpi_initialized(&already);
    if (error != 0) return error;
    if (!already) {
        error = mpi_init(NULL, NULL);
        if (error != 0) return error;
    }
    initialised = 1;
    return 0;
}

// MPI calls other than the queries above are erroneous before MPI_Init and after MPI_Finalize.
static int ready(void) { return loaded && initialised; }

int tvmpi_rank(void) {
    int rank;
    if (!ready() || mpi_comm_rank(comm_world, &rank) != 0) return -1;
    return rank;
}

int tvmpi_size(void) {
    int size;
    if (!ready() || mpi_comm_size(comm_world, &size) != 0) return -1;
    return size;
}

static int allreduce_sum(void *buffer, long count, size_t element_size, void *datatype) {
    if (!ready()) return TVMPI_NOT_READY;
    if (count < 0) return TVMPI_BAD_ARGUMENT;
    char *bytes = buffer;
    for (long done = 0; done < count;) {
        int chunk = (int)(count - done < TVMPI_MAX_CHUNK ? count - done : TVMPI_MAX_CHUNK);
        int error = mpi_allreduce(IN_PLACE, bytes + (size_t)done * element_size, chunk, datatype, op_sum, comm_world);
        if (error != 0) return error;
        done += chunk;
    }
    return 0;
}

int tvmpi_allreduce_sum_float(float *buffer, long count) {
    return allreduce_sum(buffer, count, sizeof(float), type_float);
}

int tvmpi_ring_reduce_scatter_sum_float(float *values, const int *counts, const int *displacements, float *scratch) {
    if (!ready()) return TVMPI_NOT_READY;
    int rank = tvmpi_rank(), size = tvmpi_size();
    if (rank < 0 || size < 1) return TVMPI_NOT_READY;
    // A ring: at step s rank r passes part (r - s - 1) mod n, as far as it has summed it, to rank r + 1, and adds its
    // own values of part (r - s - 2) mod n to what rank r - 1 passes it. After n - 1 steps every rank has added its
    // values to every part once, and the part that reaches rank r last is its own. Each rank sends and receives
    // (n - 1)/n of the values, as an all-reduce's first half does. (Open MPI 4.1's MPI_Reduce_scatter took 25 ms of
    // each training update for a 25 MB gradient on two ranks of one machine; this ring and the gathers, 6.5 ms.)
    int right = (rank + 1) % size, left = (rank + size - 1) % size;
    for (int step = 0; step < size - 1; step++) {
        int sent = ((rank - step - 1) % size + size) % size, received = ((rank - step - 2) % size + size) % size;
        int error = mpi_sendrecv(values + displacements[sent], counts[sent], type_float, right, 0, scratch, counts[received],
                                 type_float, left, 0, comm_world, STATUS_IGNORE);
        if (error != 0) return error;
        float *part = values + displacements[received];
        for (int i = 0; i < counts[received]; i++) part[i] = scratch[i] + part[i];
    }
    return 0;
}

static int allgatherv_in_place(void *buffer, const int *counts, const int *displacements, void *datatype) {
    if (!ready()) return TVMPI_NOT_READY;
    // In place: each rank's own part is already at its displacement in `buffer`; the send arguments are ignored.
    return mpi_allgatherv(IN_PLACE, 0, datatype, buffer, counts, displacements, datatype, comm_world);
}

int tvmpi_allgatherv_float(float *buffer, const int *counts, const int *displacements) {
    return allgatherv_in_place(buffer, counts, displacements, type_float);
}

int tvmpi_allgatherv_double(double *buffer, const int *counts, const int *displacements) {
    return allgatherv_in_place(buffer, counts, displacements, type_double);
}

int tvmpi_barrier(void) {
    if (!ready()) return TVMPI_NOT_READY;
    return mpi_barrier(comm_world);
}

void tvmpi_abort(int code) {
    // MPI_Abort ends every rank (mpirun kills the others); without MPI there is only this process.
    if (ready()) mpi_abort(comm_world, code);
    exit(code);
}

int tvmpi_finalize(void) {
    if (!ready()) return 0;
    int done = 0;
    if (mpi_finalized != NULL && mpi_finalized(&done) == 0 && done) {
        initialised = 0;
        return 0;
    }
    initialised = 0;
    return mpi_finalize();
}

const char *tvmpi_library_version(void) {
    // MPI-3 allows this before MPI_Init.
    if (!loaded || mpi_get_library_version == NULL) return "";
    if (version[0] == 0) {
        int length = 0;
        if (mpi_get_library_version(version, &length) != 0) {
            version[0] = 0;
            return "";
        }
        version[sizeof version - 1] = 0;
    }
    return version;
}
