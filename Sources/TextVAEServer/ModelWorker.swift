#if Server
    import Foundation
    import TextVAE

    /// The one thread that runs the model. The model's workspaces are reused between calls, so calls
    /// must not overlap; requests queue their work here and wait for it without holding a thread.
    ///
    /// Batching across requests (iteration-level, as Orca and vLLM schedule decoding): greedy and sampled
    /// requests join the running decoding batch before its next step and leave it when their sentences end,
    /// so a request that arrives while others decode waits one step, not a whole batch. Requests join in the
    /// order they came (one with other decoding options, or other work, waits until the batch drains, and
    /// nothing overtakes it). Beam searches keep their rows together: those waiting with the same options
    /// share one `decode` call. Each row keeps its own sampling seed, so a request gets the same sentences
    /// alone or in company.
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
            while let first = nextJob() {
                if let request = first.decoding {
                    if batching, request.options.method.joinsRunningBatches, request.rows <= SentenceVAE.decodingBatchSize {
                        runJoining(first, request)
                    } else {
                        runDecoding(batching ? [first] + takeMergeable(request) : [first])
                    }
                } else if !first.isAbandoned() {
                    first.work?(model)
                }
                model.releaseBuffers(over: Self.keptBufferBytes)
            }
        }

        /// The next job; nil once stopped and empty.
        private func nextJob() -> Job? {
            condition.lock()
            defer { condition.unlock() }
            while queue.isEmpty && !stopping { condition.wait() }
            return queue.isEmpty ? nil : queue.removeFirst()
        }

        /// The waiting beam searches that can share `request`'s `decode` call (same options, up to its rows).
        private func takeMergeable(_ request: DecodeRequest) -> [Job] {
            condition.lock()
            defer { condition.unlock() }
            var batch: [Job] = [], rows = request.rows
            let capacity = max(rows, SentenceVAE.decodingRows(request.options.method))
            queue.removeAll { job in
                guard let other = job.decoding, other.options == request.options, rows + other.rows <= capacity else { return false }
                batch.append(job)
                rows += other.rows
                return true
            }
            return batch
        }

        /// The requests at the head of the queue that may join a running batch decoding with `options`, in the
        /// order they came, while their rows fit in `room`.
        private func takeJoining(_ options: DecodingOptions, room: Int) -> [Job] {
            condition.lock()
            defer { condition.unlock() }
            var taken: [Job] = [], room = room
            while let head = queue.first, let request = head.decoding, request.options == options, request.rows <= room {
                taken.append(queue.removeFirst())
                room -= request.rows
            }
            return taken
        }

        /// Decodes `first` and every request that joins it while it runs (see the type's comment), each request's
        /// sentences sent back as soon as its last one ends; rows of a request that gave up leave at the next step.
        private func runJoining(_ first: Job, _ request: DecodeRequest) {
            /// A request in the running batch: its sentences so far, and how many are still decoding.
            final class Member {
                let job: Job
                var sentences: [[Hypothesis]]
                var left: Int
                init(_ job: Job, rows: Int) {
                    self.job = job
                    sentences = [[Hypothesis]](repeating: [], count: rows)
                    left = rows
                }
            }
            var rowOwner: [Int: (member: Member, row: Int)] = [:]
            var nextTag = 0, began = false
            var waiting = [first]
            model.decodeRunning(
                options: request.options,
                admit: { running in
                    let room = SentenceVAE.decodingBatchSize - running - waiting.reduce(0) { $0 + $1.decoding!.rows }
                    let joining = waiting + self.takeJoining(request.options, room: room)
                    waiting = []
                    var rows: [DecodingRow] = []
                    for job in joining where !job.isAbandoned() {
                        let asked = job.decoding!, member = Member(job, rows: asked.rows)
                        let codes = self.model.codes(asked.z, classes: asked.classes), C = codes.count / max(1, asked.rows)
                        for r in 0..<asked.rows {
                            rowOwner[nextTag] = (member, r)
                            rows.append(DecodingRow(code: Array(codes[r * C..<(r + 1) * C]), seed: asked.rowSeeds[r], tag: nextTag))
                            nextTag += 1
                        }
                    }
                    self.metrics.countDecodingRows(rows.count, newBatch: !began)
                    began = true
                    if running + rows.count > 0 { self.metrics.countDecodingStep(rows: running + rows.count) }
                    return rows
                },
                keep: { tag in
                    guard let owner = rowOwner[tag], owner.member.job.isAbandoned() else { return true }
                    if owner.member.left > 0 { self.metrics.countAbandonedDecoding() }
                    owner.member.left = 0  // counted once; its other rows leave in the same step
                    rowOwner[tag] = nil
                    return false
                },
                finished: { tag, sentence in
                    guard let (member, row) = rowOwner.removeValue(forKey: tag) else { return }
                    member.sentences[row] = [sentence]
                    member.left -= 1
                    if member.left == 0 { member.job.deliver?(member.sentences) }
                })
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
            metrics.countDecodingRows(decoded.count, newBatch: true)
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
