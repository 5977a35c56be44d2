internal import CMPI
import Foundation

/// Ranks started by MPI's `mpirun`, summing with `MPI_Allreduce`. Open MPI is loaded when a distributed run
/// starts (see the CMPI shim), so textvae builds and runs where MPI is not installed.
package final class MPICollective: Collective {
    package let rank: Int
    package let size: Int
    private var finished = false
    /// Where `sum(_:keeping:)` receives a part from the previous rank: kept, since a training run sums every update.
    private var scratch: [Float] = []

    /// Whether `mpirun` (Open MPI's, or another PMIx launcher) started this process.
    package static var launchedByMPI: Bool {
        let environment = ProcessInfo.processInfo.environment
        return environment["OMPI_COMM_WORLD_SIZE"] != nil || environment["PMIX_RANK"] != nil || environment["PMI_SIZE"] != nil
    }

    /// Loads Open MPI and joins the job; throws with an installation hint when MPI is missing.
    package init() throws {
        var message = [CChar](repeating: 0, count: 512)
        guard tvmpi_load(&message, Int32(message.count)) == 0 else {
            throw TextVAEError.system(String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        let status = tvmpi_init()
        guard status == 0 else {
            throw TextVAEError.system("MPI_Init failed (error \(status)); start textvae with mpirun, e.g. mpirun -np 2 textvae train ...")
        }
        rank = Int(tvmpi_rank())
        size = Int(tvmpi_size())
    }

    /// Open MPI's own description of itself ("Open MPI v4.1.4, ...").
    package static var libraryVersion: String { String(cString: tvmpi_library_version()) }

    package func sum(_ values: UnsafeMutableBufferPointer<Float>) throws {
        guard size > 1, let base = values.baseAddress else { return }
        let status = tvmpi_allreduce_sum_float(base, values.count)
        guard status == 0 else { throw TextVAEError.system("MPI_Allreduce failed (error \(status)) on rank \(rank)") }
    }

    package func sum(_ values: UnsafeMutableBufferPointer<Float>, keeping shares: [Range<Int>]) throws {
        precondition(shares.count == size && shares.last?.upperBound == values.count)
        let counts = try Self.counts(shares), largest = Int(counts.max() ?? 0)
        if scratch.count < largest { scratch = [Float](repeating: 0, count: largest) }
        let status = scratch.withUnsafeMutableBufferPointer { scratch in
            tvmpi_ring_reduce_scatter_sum_float(values.baseAddress!, counts, shares.map { Int32($0.lowerBound) }, scratch.baseAddress!)
        }
        guard status == 0 else { throw TextVAEError.system("MPI_Sendrecv failed (error \(status)) on rank \(rank)") }
    }

    package func gather(_ values: UnsafeMutableBufferPointer<Float>, shares: [Range<Int>]) throws {
        precondition(shares.count == size && shares.last?.upperBound == values.count)
        let status = tvmpi_allgatherv_float(values.baseAddress!, try Self.counts(shares), shares.map { Int32($0.lowerBound) })
        guard status == 0 else { throw TextVAEError.system("MPI_Allgatherv failed (error \(status)) on rank \(rank)") }
    }

    package func gather(_ values: UnsafeMutableBufferPointer<Double>, shares: [Range<Int>]) throws {
        precondition(shares.count == size && shares.last?.upperBound == values.count)
        let status = tvmpi_allgatherv_double(values.baseAddress!, try Self.counts(shares), shares.map { Int32($0.lowerBound) })
        guard status == 0 else { throw TextVAEError.system("MPI_Allgatherv failed (error \(status)) on rank \(rank)") }
    }

    /// MPI's counts and offsets are 32-bit.
    private static func counts(_ shares: [Range<Int>]) throws -> [Int32] {
        guard let end = shares.last?.upperBound, end <= Int(Int32.max) else {
            throw TextVAEError.system("a model of more than \(Int32.max) parameters is too large for one MPI call")
        }
        return shares.map { Int32($0.count) }
    }

    package func barrier() throws {
        let status = tvmpi_barrier()
        guard status == 0 else { throw TextVAEError.system("MPI_Barrier failed (error \(status)) on rank \(rank)") }
    }

    /// Leaves the job (MPI_Finalize): every rank must, or mpirun reports the job as failed.
    package func finish() {
        guard !finished else { return }
        finished = true
        _ = tvmpi_finalize()
    }

    /// Ends every rank of the job: for an error on one rank, which would leave the others waiting in a sum.
    package func abort(code: Int32) -> Never {
        tvmpi_abort(code)
        exit(code)
    }
}
