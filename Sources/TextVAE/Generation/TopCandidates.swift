/// The best `capacity` (score, hypothesis, word) triples offered, best first;
/// on equal scores the one offered first ranks higher.
struct TopCandidates {
    let capacity: Int
    private var scores: [Double] = [], hypotheses: [Int] = [], words: [Int] = []

    init(capacity: Int) { self.capacity = capacity }

    var count: Int { scores.count }
    subscript(i: Int) -> (Double, Int, Int) { (scores[i], hypotheses[i], words[i]) }

    mutating func removeAll() {
        scores.removeAll(keepingCapacity: true); hypotheses.removeAll(keepingCapacity: true); words.removeAll(keepingCapacity: true)
    }

    @inline(__always) mutating func offer(_ score: Double, hypothesis: Int, word: Int) {
        if scores.count == capacity && !(score > scores[capacity - 1]) { return }
        var i = scores.count
        while i > 0 && score > scores[i - 1] { i -= 1 }
        if scores.count == capacity { scores.removeLast(); hypotheses.removeLast(); words.removeLast() }
        scores.insert(score, at: i); hypotheses.insert(hypothesis, at: i); words.insert(word, at: i)
    }
}
