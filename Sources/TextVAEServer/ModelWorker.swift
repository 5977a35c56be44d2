#if Server
    import Foundation
    import TextVAE

    /// The one thread that runs the model. The model's workspaces are reused between calls, so calls
    /// must not overlap; requests queue their work here and wait for it without holding a thread.
    ///
    /// Batching across requests: when the worker takes a decoding job, the jobs waiting behind it with the
    /// same decoding options join it in one `decode` call (up to a decoding batch of rows). Each row keeps
    /// its own sampling seed, so a request gets the same sentences alone or in company; 32 clients asking
    /// for one sentence each cost about one batch instead of 32 passes.
    final class ModelWorker: @unchecked Sendable {  // state guarded by `condition`
        let model: TrainedModel
        let batching: Bool
        private let metrics: ServerMetrics
        private let condition = NSCondition()
        private var queue: [Job] = []
        private var stopping = false
        private var thread: Thread?

        init(model: TrainedModel, batching: Bool, metrics: ServerMetrics) {
            self.model = model
            self.batching = batching
            self.metrics = metrics
        }

        func start() {
            let thread = Thread { [self] in loop() }
            thread.name = "textvae model worker"
            thread.stackSize = 8 << 20
            self.thread = thread
            thread.start()
        }

        /// Jobs waiting for the worker (for tests that line jobs up before `start`).
        var queued: Int {
            condition.lock()
            defer { condition.unlock() }
            return queue.count
        }

        /// Lets the worker finish what is queued, then end.
        func stop() {
            condition.lock()
            stopping = true
            condition.broadcast()
            condition.unlock()
        }

        /// Decodes `z` (rows × Z), row r sampling from `rowSeeds[r]`, possibly in one batch with other requests' rows.
        /// In a model with classes, `classes` holds each row's class vector (rows × K; nil: the average class).
        func decode(_ z: [Float], classes: [Float]? = nil, options: DecodingOptions, rowSeeds: [UInt64], timeLimit: Double) async throws
            -> [[Hypothesis]]
        {
            try await submit(timeLimit: timeLimit) { reply in
                Job(decoding: DecodeRequest(z: z, classes: classes, options: options, rowSeeds: rowSeeds), reply: reply)
            }
        }

        /// Runs `work` on the model, alone.
        func run<T: Sendable>(timeLimit: Double, _ work: @escaping @Sendable (TrainedModel) throws -> T) async throws -> T {
            try await submit(timeLimit: timeLimit) { reply in
                Job(work: { model in reply.resume(with: Result { try work(model) }) }, reply: reply)
            }
        }

        /// Queues the job `make` builds and waits for its reply, at most `timeLimit` seconds; a request that
        /// is cancelled or out of time leaves the queue if it has not started (its result is dropped if it has).
        private func submit<T: Sendable>(timeLimit: Double, _ make: (Reply<T>) -> Job) async throws -> T {
            let reply = Reply<T>()
            let job = make(reply)
            let timer = Task {
                try await Task.sleep(nanoseconds: UInt64(timeLimit * 1e9))
                reply.resume(
                    with: .failure(
                        APIError(
                            .serviceUnavailable,
                            "the request took longer than the server's time limit of \(timeLimit) s (textvae serve --time-limit); ask for less or retry"
                        )))
                withdraw(job)
            }
            defer { timer.cancel() }
            return try await withTaskCancellationHandler {
                try await withCheckedThrowingContinuation { continuation in
                    reply.set(continuation)
                    condition.lock()
                    if reply.isResolved {  // out of time (or cancelled) before it was queued: nothing to run
                        condition.unlock()
                        return
                    }
                    if stopping {
                        condition.unlock()
                        reply.resume(with: .failure(APIError(.serviceUnavailable, "the server is shutting down")))
                        return
                    }
                    queue.append(job)
                    condition.signal()
                    condition.unlock()
                }
            } onCancel: {
                reply.resume(with: .failure(CancellationError()))
                withdraw(job)
            }
        }

        private func withdraw(_ job: Job) {
            condition.lock()
            queue.removeAll { $0 === job }
            condition.unlock()
        }

        /// Buffers above this size are given back after each job: usual requests keep theirs (no allocation per
        /// request), and one large request (a long score, a wide beam) does not leave the server at its size.
        static let keptBufferBytes = 16 << 20

        private func loop() {
            while let batch = nextBatch() {
                if let first = batch.first, first.decoding != nil {
                    runDecoding(batch)
                } else {
                    for job in batch where !job.isAbandoned() { job.work?(model) }
                }
                model.releaseBuffers(over: Self.keptBufferBytes)
            }
        }

        /// The next job and, when it decodes, the waiting jobs that can share its decoding batch; nil once stopped and empty.
        private func nextBatch() -> [Job]? {
            condition.lock()
            defer { condition.unlock() }
            while queue.isEmpty && !stopping { condition.wait() }
            if queue.isEmpty { return nil }
            let first = queue.removeFirst()
            guard batching, let request = first.decoding else { return [first] }
            var batch = [first], rows = request.rows
            let capacity = max(rows, SentenceVAE.decodingRows(request.options.method))
            queue.removeAll { job in
                guard let other = job.decoding, other.options == request.options, rows + other.rows <= capacity else { return false }
                batch.append(job)
                rows += other.rows
                return true
            }
            return batch
        }

        /// One `decode` call for the rows of all the jobs in `batch`, each job's share of the results sent back to it.
        private func runDecoding(_ batch: [Job]) {
            let requests = batch.map { $0.decoding! }
            // Each row's class vector: the request's, or the average class for a request that gave none.
            let K = model.classes
            let classes: [Float]? = K == 0 ? nil : requests.flatMap { $0.classes ?? [Float](repeating: 1 / Float(K), count: $0.rows * K) }
            // Work nobody waits for any more (every request out of time or gone) stops at the next step, so a
            // request past its deadline does not keep the model from the ones behind it.
            let decoded = model.decode(
                requests.flatMap(\.z), classes: classes, options: requests[0].options,
                rowSeeds: requests.flatMap(\.rowSeeds), stop: { batch.allSatisfy { $0.isAbandoned() } })
            metrics.countDecodingBatch(rows: decoded.count)
            if batch.allSatisfy({ $0.isAbandoned() }) {  // the results may be partial: nobody is left to send them to
                metrics.countAbandonedDecoding()
                return
            }
            var start = 0
            for (job, request) in zip(batch, requests) {
                job.deliver?(Array(decoded[start..<start + request.rows]))
                start += request.rows
            }
        }
    }

    /// What a decoding job asks for.
    struct DecodeRequest: Sendable {
        let z: [Float]
        /// Each row's class vector (rows × K) in a model with classes; nil: the average class.
        let classes: [Float]?
        let options: DecodingOptions
        let rowSeeds: [UInt64]
        var rows: Int { rowSeeds.count }
    }

    /// A queued piece of model work: a decoding request (which can share a batch) or any other work.
    final class Job: @unchecked Sendable {  // immutable after init
        let decoding: DecodeRequest?
        let deliver: (([[Hypothesis]]) -> Void)?
        let work: ((TrainedModel) -> Void)?
        /// Whether the request already has its answer (a 503 for its time limit, or it was cancelled).
        let isAbandoned: () -> Bool

        init(decoding: DecodeRequest, reply: Reply<[[Hypothesis]]>) {
            self.decoding = decoding
            deliver = { reply.resume(with: .success($0)) }
            work = nil
            isAbandoned = { reply.isResolved }
        }

        init<T>(work: @escaping (TrainedModel) -> Void, reply: Reply<T>) {
            decoding = nil
            deliver = nil
            self.work = work
            isAbandoned = { reply.isResolved }
        }
    }

    /// A continuation resumed once, whichever comes first: the result, the time limit or cancellation.
    final class Reply<T: Sendable>: @unchecked Sendable {  // guarded by `lock`
        private let lock = NSLock()
        private var continuation: CheckedContinuation<T, any Error>?
        private var early: Result<T, any Error>?
        private var done = false

        func set(_ continuation: CheckedContinuation<T, any Error>) {
            lock.lock()
            if let early {
                lock.unlock()
                continuation.resume(with: early)
                return
            }
            self.continuation = continuation
            lock.unlock()
        }

        /// Whether the reply was already sent (result, time limit or cancellation).
        var isResolved: Bool {
            lock.lock()
            defer { lock.unlock() }
            return done
        }

        func resume(with result: Result<T, any Error>) {
            lock.lock()
            if done { lock.unlock(); return }
            done = true
            guard let continuation else {
                early = result  // cancelled before the continuation was set
                lock.unlock()
                return
            }
            self.continuation = nil
            lock.unlock()
            continuation.resume(with: result)
        }
    }
#endif
