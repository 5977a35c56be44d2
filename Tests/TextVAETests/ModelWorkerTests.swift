#if Server
    import Foundation
    import Testing
    @testable import TextVAE
    @testable import TextVAEServer

    /// The model worker: requests waiting together share one running decoding batch (beam searches one call)
    /// and still get the sentences they would get alone; the time limit and cancellation take a request out of the queue.
    @Suite struct ModelWorkerTests {
        /// Lines up `requests` decoding requests (different seeds and sizes) before the worker starts, so
        /// that they are all waiting when it takes the first one.
        func decodeLinedUp(batching: Bool, options: DecodingOptions) async throws -> (
            results: [[[Hypothesis]]], metrics: String, solo: [[[Hypothesis]]]
        ) {
            let model = try ServerFixture.model()
            let metrics = ServerMetrics()
            let worker = ModelWorker(model: model, batching: batching, metrics: metrics)
            let requests = (0..<6).map { model.priorDraws(count: 1 + $0 % 3, seed: UInt64(40 + $0)) }
            let tasks = requests.map { draws in
                Task { try await worker.decode(draws.z, options: options, rowSeeds: draws.rowSeeds, timeLimit: 60) }
            }
            for _ in 0..<2_000 where worker.queued < requests.count { try await Task.sleep(nanoseconds: 5_000_000) }
            #expect(worker.queued == requests.count)
            worker.start()
            defer { worker.stop() }
            var results: [[[Hypothesis]]] = []
            for task in tasks { results.append(try await task.value) }
            let solo = requests.map { model.decode($0.z, options: options, rowSeeds: $0.rowSeeds) }
            return (results, metrics.text, solo)
        }

        @Test(arguments: [DecodingOptions(), DecodingOptions(method: .sample(Sampling(temperature: 1.2, topK: 5)))])
        func waitingRequestsShareOneDecodingCallAndKeepTheirSentences(options: DecodingOptions) async throws {
            let merged = try await decodeLinedUp(batching: true, options: options)
            expectSameSentences(merged.results, merged.solo)
            #expect(merged.metrics.contains("textvae_decoding_batches_total 1\n"), "\(merged.metrics)")
            #expect(merged.metrics.contains("textvae_decoding_batch_rows_total 12\n"))
            // The running batch's steps carried the rows: at least one step, at most 12 rows each.
            let steps = Self.counter("textvae_decoding_steps_total", merged.metrics)
            let stepRows = Self.counter("textvae_decoding_step_rows_total", merged.metrics)
            #expect(steps > 0 && stepRows >= 12 && stepRows <= 12 * steps, "\(merged.metrics)")

            let alone = try await decodeLinedUp(batching: false, options: options)
            expectSameSentences(alone.results, alone.solo)
            #expect(alone.metrics.contains("textvae_decoding_batches_total 6\n"), "\(alone.metrics)")
        }

        static func counter(_ name: String, _ text: String) -> Int {
            text.split(separator: "\n").first { $0.hasPrefix(name + " ") }.flatMap { Int($0.split(separator: " ")[1]) } ?? -1
        }

        /// The same words; log-probabilities equal up to float rounding (a product over more rows may sum in another order).
        func expectSameSentences(_ a: [[[Hypothesis]]], _ b: [[[Hypothesis]]]) {
            #expect(a.map { $0.map { $0.map(\.tokens) } } == b.map { $0.map { $0.map(\.tokens) } })
            for (x, y) in zip(a.joined().joined(), b.joined().joined()) {
                #expect(abs(x.logProbability - y.logProbability) <= 1e-5 * abs(y.logProbability))
            }
        }

        @Test func requestsWithOtherOptionsAreNotMerged() async throws {
            let model = try ServerFixture.model()
            let metrics = ServerMetrics()
            let worker = ModelWorker(model: model, batching: true, metrics: metrics)
            let draws = model.priorDraws(count: 2, seed: 1)
            let tasks = [DecodingOptions(), DecodingOptions(maxLength: 3), DecodingOptions()].map { options in
                Task { try await worker.decode(draws.z, options: options, rowSeeds: draws.rowSeeds, timeLimit: 60) }
            }
            for _ in 0..<2_000 where worker.queued < 3 { try await Task.sleep(nanoseconds: 5_000_000) }
            worker.start()
            defer { worker.stop() }
            let results = try await tasks.asyncMap { try await $0.value }
            expectSameSentences([results[1]], [model.decode(draws.z, options: DecodingOptions(maxLength: 3), rowSeeds: draws.rowSeeds)])
            expectSameSentences([results[0]], [results[2]])
            // Requests join a running batch in the order they came: the third waits behind the second, whose
            // other length cap keeps it out of the first's batch, so each runs in a batch of its own.
            #expect(metrics.text.contains("textvae_decoding_batches_total 3\n"), "\(metrics.text)")
        }

        /// Beam searches keep the old merging: the waiting ones with the same options share one `decode` call.
        @Test func waitingBeamSearchesShareOneCall() async throws {
            let merged = try await decodeLinedUp(batching: true, options: DecodingOptions(method: .beam(width: 3)))
            expectSameSentences(merged.results, merged.solo)
            #expect(merged.metrics.contains("textvae_decoding_batches_total 1\n"), "\(merged.metrics)")
            #expect(merged.metrics.contains("textvae_decoding_steps_total 0\n"), "a beam search has no running batch")
        }

        @Test func aRequestOverTheTimeLimitGets503AndLeavesTheQueue() async throws {
            let model = try ServerFixture.model()
            let worker = ModelWorker(model: model, batching: true, metrics: ServerMetrics())  // never started: nothing runs
            let draws = model.priorDraws(count: 1, seed: 1)
            do {
                _ = try await worker.decode(draws.z, options: DecodingOptions(), rowSeeds: draws.rowSeeds, timeLimit: 0.05)
                Issue.record("a request to a worker that never runs came back")
            } catch let error as APIError {
                #expect(error.status == .serviceUnavailable && error.message.contains("--time-limit"), "\(error.message)")
            }
            #expect(worker.queued == 0)

            let task = Task { try await worker.run(timeLimit: 60) { $0.latent } }
            for _ in 0..<2_000 where worker.queued < 1 { try await Task.sleep(nanoseconds: 5_000_000) }
            task.cancel()
            await #expect(throws: CancellationError.self) { try await task.value }
            #expect(worker.queued == 0)
        }

        @Test func workQueuedWhenTheWorkerStopsIsStillDone() async throws {
            let model = try ServerFixture.model()
            let worker = ModelWorker(model: model, batching: true, metrics: ServerMetrics())
            let task = Task { try await worker.run(timeLimit: 60) { $0.latent } }
            for _ in 0..<2_000 where worker.queued < 1 { try await Task.sleep(nanoseconds: 5_000_000) }
            worker.stop()
            worker.start()
            #expect(try await task.value == model.latent)
            await #expect(throws: APIError.self) { try await worker.run(timeLimit: 60) { $0.latent } }
        }
    }

    extension Array {
        func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
            var out: [T] = []
            for element in self { out.append(try await transform(element)) }
            return out
        }
    }
#endif
