extension TrainedModel {
    /// A sentence with blanks: its token ids (`<unk>` at the blanks) and the blanks' positions.
    /// A blank is a token made only of underscores ("___"), written with spaces around it.
    public func template(_ sentence: String) throws -> (tokens: [Int32], blanks: [Int]) {
        let words = try tokenizer.tokenize(sentence)
        guard !words.isEmpty else { throw TextVAEError("the sentence '\(sentence)' has no words; write one such as \"the ___ sat on the mat\"") }
        guard words.count <= model.config.maxLength else {
            throw TextVAEError("the sentence has \(words.count) tokens, more than the model's \(model.config.maxLength); shorten it")
        }
        let blanks = words.indices.filter { i in !words[i].isEmpty && words[i].allSatisfy { $0 == "_" } }
        guard !blanks.isEmpty else {
            throw TextVAEError("the sentence '\(sentence)' has no blank; mark each missing word with ___ between spaces, e.g. \"the ___ sat on the mat\"")
        }
        var ids = vocabulary.ids(words)
        for p in blanks { ids[p] = Int32(Vocabulary.unk) }
        return (ids, blanks)
    }

    /// The `count` most frequent words of the vocabulary (all of them for nil): tokens with
    /// a letter or a digit, since a blank stands for a missing word, not for punctuation.
    public func candidateWords(_ count: Int?) -> [Int32] {
        let words = (Vocabulary.specials.count..<vocabulary.count).filter { id in
            vocabulary.tokens[id].unicodeScalars.contains { $0.properties.isAlphabetic || $0.properties.numericType != nil }
        }
        return words.prefix(count.map { max(1, $0) } ?? words.count).map { Int32($0) }
    }
}
