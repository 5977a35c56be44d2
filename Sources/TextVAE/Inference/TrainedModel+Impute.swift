extension TrainedModel {
    /// A sentence with blanks: its token ids (`<unk>` at the blanks) and the blanks' positions among the ids.
    /// A blank is a token made only of underscores ("___"), written with spaces around it. With subwords a
    /// blank is one piece, filled by a piece that begins a word (see `candidateWords`).
    package func template(_ sentence: String) throws -> (tokens: [Int32], blanks: [Int]) {
        let words = try tokenizer.tokenize(sentence)
        guard !words.isEmpty else {
            throw TextVAEError.invalidInput("the sentence '\(sentence)' has no words; write one such as \"the ___ sat on the mat\"")
        }
        let isBlank = words.map { !$0.isEmpty && $0.allSatisfy { $0 == "_" } }
        guard isBlank.contains(true) else {
            throw TextVAEError.invalidInput(
                "the sentence '\(sentence)' has no blank; mark each missing word with ___ between spaces, e.g. \"the ___ sat on the mat\"")
        }
        var ids: [Int32] = [], blanks: [Int] = []
        for (word, blank) in zip(words, isBlank) {
            if blank { blanks.append(ids.count); ids.append(Int32(Vocabulary.unk)) } else { ids += vocabulary.ids([word]) }
        }
        guard ids.count <= model.config.maxLength else {
            throw TextVAEError.invalidInput(
                "the sentence has \(ids.count) tokens, more than the model's \(model.config.maxLength); shorten it")
        }
        return (ids, blanks)
    }

    /// The `count` most frequent words of the vocabulary (all of them for nil): tokens with
    /// a letter or a digit, since a blank stands for a missing word, not for punctuation. With subwords,
    /// pieces that begin a word: a blank is filled by one piece, a word the vocabulary holds whole.
    package func candidateWords(_ count: Int?) -> [Int32] {
        let wordStartOnly = vocabulary.subwords != nil
        let words = (Vocabulary.specials.count..<vocabulary.count).filter { id in
            let token = vocabulary.tokens[id]
            return (!wordStartOnly || Subwords.startsWord(token))
                && token.unicodeScalars.contains { $0.properties.isAlphabetic || $0.properties.numericType != nil }
        }
        return words.prefix(count.map { max(1, $0) } ?? words.count).map { Int32($0) }
    }
}
