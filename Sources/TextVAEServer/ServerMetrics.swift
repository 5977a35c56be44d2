#if Server
    import Foundation
    import TextVAE

    /// What `/metrics` reports, in Prometheus's text format: requests by route and status, their latency
    /// as a histogram by route, requests in flight, sentences generated, and the decoding batches the worker ran.
    final class ServerMetrics: @unchecked Sendable {  // guarded by `lock`
        /// Upper bounds of the latency histogram's buckets, in seconds.
        static let bucketBounds: [Double] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30]

        private struct Histogram {
            var counts = [Int](repeating: 0, count: ServerMetrics.bucketBounds.count)
            var total = 0
            var sum = 0.0
        }

        private let lock = NSLock()
        private var requests: [String: [Int: Int]] = [:]  // route -> status -> count
        private var latency: [String: Histogram] = [:]
        private var sentences = 0
        private var inFlight = 0
        private var batches = 0
        private var batchRows = 0
        private var steps = 0, stepRows = 0
        private var stoppedDecodings = 0

        func requestStarted() {
            lock.lock()
            inFlight += 1
            lock.unlock()
        }

        func countRequest(route: String, status: Int, seconds: Double) {
            lock.lock()
            defer { lock.unlock() }
            inFlight -= 1
            requests[route, default: [:]][status, default: 0] += 1
            var h = latency[route] ?? Histogram()
            for (i, bound) in Self.bucketBounds.enumerated() where seconds <= bound { h.counts[i] += 1 }
            h.total += 1
            h.sum += seconds
            latency[route] = h
        }

        func countSentences(_ n: Int) {
            lock.withLock { sentences += n }
        }

        /// A decoding batch begins (a running batch that requests join, or one `decode` call), with `rows` codes;
        /// rows that join a running batch later come with `newBatch` false.
        func countDecodingRows(_ rows: Int, newBatch: Bool) {
            lock.withLock {
                if newBatch { batches += 1 }
                batchRows += rows
            }
        }

        /// One step of a running batch, carrying `rows` rows: counted as it happens, since under steady load a
        /// running batch need never end.
        func countDecodingStep(rows: Int) {
            lock.withLock {
                steps += 1
                stepRows += rows
            }
        }

        /// Decoding stopped early for requests that had given up (time limit or cancellation): a `decode` call
        /// whose requests all had, or one request's rows leaving a running batch.
        func countAbandonedDecoding() {
            lock.lock()
            stoppedDecodings += 1
            lock.unlock()
        }

        /// The exposition text (`text/plain; version=0.0.4`).
        var text: String {
            lock.lock()
            defer { lock.unlock() }
            var out = """
                # HELP textvae_requests_total HTTP requests answered, by route and status.
                # TYPE textvae_requests_total counter

                """
            for route in requests.keys.sorted() {
                for (status, count) in requests[route]!.sorted(by: { $0.key < $1.key }) {
                    out += "textvae_requests_total{route=\"\(route)\",status=\"\(status)\"} \(count)\n"
                }
            }
            out += """
                # HELP textvae_request_duration_seconds Time from request to response, by route.
                # TYPE textvae_request_duration_seconds histogram

                """
            for route in latency.keys.sorted() {
                let h = latency[route]!
                for (bound, count) in zip(Self.bucketBounds, h.counts) {
                    out += "textvae_request_duration_seconds_bucket{route=\"\(route)\",le=\"\(bound)\"} \(count)\n"
                }
                out += "textvae_request_duration_seconds_bucket{route=\"\(route)\",le=\"+Inf\"} \(h.total)\n"
                out += "textvae_request_duration_seconds_sum{route=\"\(route)\"} \(h.sum)\n"
                out += "textvae_request_duration_seconds_count{route=\"\(route)\"} \(h.total)\n"
            }
            out += """
                # HELP textvae_requests_in_flight Requests being answered now (this one included).
                # TYPE textvae_requests_in_flight gauge
                textvae_requests_in_flight \(inFlight)
                # HELP textvae_sentences_generated_total Sentences decoded for sample, interpolate and reconstruct.
                # TYPE textvae_sentences_generated_total counter
                textvae_sentences_generated_total \(sentences)
                # HELP textvae_decoding_batches_total Decoding batches the model worker ran: a running batch that requests joined, or one call (requests merged into one count once).
                # TYPE textvae_decoding_batches_total counter
                textvae_decoding_batches_total \(batches)
                # HELP textvae_decoding_batch_rows_total Latent codes decoded in those batches.
                # TYPE textvae_decoding_batch_rows_total counter
                textvae_decoding_batch_rows_total \(batchRows)
                # HELP textvae_decoding_steps_total Decoder steps of running batches (greedy and sampled decoding).
                # TYPE textvae_decoding_steps_total counter
                textvae_decoding_steps_total \(steps)
                # HELP textvae_decoding_step_rows_total Rows those steps carried, summed: divided by the steps, how full a step was.
                # TYPE textvae_decoding_step_rows_total counter
                textvae_decoding_step_rows_total \(stepRows)
                # HELP textvae_decodings_stopped_total Decoding stopped early for requests that had timed out or left (a call when all its requests had; a request's rows in a running batch).
                # TYPE textvae_decodings_stopped_total counter
                textvae_decodings_stopped_total \(stoppedDecodings)

                """
            return out + Self.processText
        }

        /// Which textvae this is, and the process's memory and descriptors (read from /proc at each scrape), in the
        /// names Prometheus's own clients use, so that dashboards for other services read them as they are.
        static var processText: String {
            var out = """
                # HELP textvae_build_info The textvae version serving.
                # TYPE textvae_build_info gauge
                textvae_build_info{version="\(TextVAEVersion.current)"} 1

                """
            let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
            if let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
                let kib = Double(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "")
            {
                out += """
                    # HELP process_resident_memory_bytes Resident memory size in bytes.
                    # TYPE process_resident_memory_bytes gauge
                    process_resident_memory_bytes \(Int(kib * 1024))

                    """
            }
            if let descriptors = try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd") {
                out += """
                    # HELP process_open_fds Number of open file descriptors.
                    # TYPE process_open_fds gauge
                    process_open_fds \(descriptors.count)

                    """
            }
            return out
        }
    }
#endif
