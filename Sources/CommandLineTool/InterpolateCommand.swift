import ArgumentParser
import Foundation
import TextVAE

struct InterpolateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "interpolate",
        abstract: "Decode points on the line between two sentences' codes (Bowman et al.'s homotopy).",
        discussion: """
            Encodes both sentences to codes za and zb (their posterior means, refined where
            these do not give the sentence back: below), then decodes z(t) = (1 − t) za +
            t zb greedily for evenly spaced t from 0 to 1. Each line is t, a tab, and the
            sentence; the first line decodes za, the last zb. Without sentences, the end
            points are two draws from the prior (--seed).

            Examples:
              textvae interpolate -m model.safetensors "he was sad ." "she smiled at me ."
              textvae interpolate -m model.safetensors --steps 9 --slerp --collapse
              textvae interpolate -m model.safetensors --seed 3
              textvae interpolate -m model.safetensors --refine 0 "he was sad ." "she smiled ."

            An end whose μ does not decode to its sentence has its code refined first (20
            gradient steps on that sentence's own objective, kept where they give back more
            of it), so that more paths start and end at the sentences typed; --refine 0
            keeps the posterior means. When an end still does not decode to its sentence, a
            note on stderr says so. A VAE gives back few whole sentences (it keeps a few nats
            in z); a model trained as an autoencoder ('textvae train CORPUS --preset
            homotopy') gives back half or more of its training sentences.

            --slerp follows the great circle instead of the straight line (kinder to a
            Gaussian prior); --collapse prints a run of identical sentences once, with the
            range of t it covers.

            A model with classes (trained with labels or --classes) keeps each sentence's
            most likely class at its end, and moves c in a straight line between the two
            one-hot vectors, c(t) = (1 − t) ca + t cb, as it moves z (it says so on
            stderr); --with-label (or --with-class) holds c fixed at one class all the way.
            """
    )

    @OptionGroup var model: ModelArgument

    @Argument(help: "Two sentences (or none, for two random points from the prior).")
    var sentences: [String] = []

    @Option(help: "Number of points, the two ends included.")
    var steps = Interpolation.defaultSteps

    @Flag(help: "Spherical interpolation instead of linear.")
    var slerp = false

    @Flag(help: "Merge consecutive identical sentences into one line.")
    var collapse = false

    @Option(help: "Random seed for the end points when no sentences are given.")
    var seed: UInt64 = 0

    @Option(
        help: ArgumentHelp(
            "Refine the code of an end that μ does not give back with this many gradient steps on its sentence's own objective (−log p(x|z) + ½‖z‖², from μ), kept where it gives back more of the sentence; each step is a decoder pass forward and back. 0: the posterior means.",
            valueName: "steps"))
    var refine = TextVAEModel.interpolationRefinement

    @OptionGroup var length: LengthOptions

    @OptionGroup(title: "Classes") var classOptions: ClassOptions

    @OptionGroup(title: "Output (jsonl: one object per step, with t and text)") var output: FormatOptions

    func validate() throws {
        try classOptions.check()
        try RefineOption.check(refine)
        _ = try output.chosen([.text, .jsonl])
        if !(sentences.isEmpty || sentences.count == 2) {
            throw ValidationError(
                "give two sentences to interpolate between (quote each one), or none for two random points; got \(sentences.count)")
        }
        if steps < 2 || steps > 10_000 { throw ValidationError("--steps must be between 2 and 10000, got \(steps)") }
        try length.check()
        try model.check()
    }

    func run() throws {
        let file = try model.load()
        try file.requireLatent(for: "interpolate")
        let ts = Interpolation.steps(steps)
        let fixed = file.classes > 0 ? try classOptions.resolve(file) : nil
        let options = DecodingOptions(
            method: .greedy, maxLength: length.maxLength, forbidUnknown: length.noUnk,
            repetition: length.repetition)
        let (a, b, typed) = try endPoints(file, options: options, fixedClass: fixed)
        let (z, classes) = file.homotopy(a, b, at: ts, spherical: slerp, fixedClass: fixed)
        if file.classes > 0 {
            let names = file.classNames
            warn(
                fixed.map { "class '\(names[$0])' held fixed" }
                    ?? (a.c == b.c
                        ? "both ends have class '\(names[a.c])': c stays one-hot at it"
                        : "class '\(names[a.c])' at the start, '\(names[b.c])' at the end: c moves in a straight line between the two one-hot vectors")
            )
        } else if classOptions.label != nil || classOptions.classNumber != nil {
            _ = try classOptions.resolve(file)  // says that the model has no classes
        }
        let decoded = file.decode(z, classes: classes, options: options).map { $0[0].tokens }
        let texts = decoded.map(file.text)
        if let typed { warnAboutEnds(typed, [decoded[0], decoded[decoded.count - 1]], file) }
        let digits = steps > 101 ? 3 : 2
        var out = OutputBuffer()
        let format = try output.chosen([.text, .jsonl])
        for run in runs(texts, merge: collapse) {
            if format == .jsonl {
                out.line(
                    JSON.object([
                        ("t", JSON.number(ts[run.first])), ("t_last", JSON.number(ts[run.last])),
                        ("text", JSON.string(texts[run.first])),
                    ]))
                continue
            }
            let t = run.first == run.last ? f(ts[run.first], digits) : "\(f(ts[run.first], digits))-\(f(ts[run.last], digits))"
            out.line("\(t)\t\(texts[run.first])")
        }
        out.flush()
    }

    /// μ of the two sentences, refined when asked (and in a model with classes, each one's most likely class) and
    /// their tokens, or two draws from N(0, I) (and two classes drawn uniformly, after z) and no tokens.
    func endPoints(
        _ file: TrainedModel, options: DecodingOptions, fixedClass: Int?
    ) throws -> (a: (z: [Float], c: Int), b: (z: [Float], c: Int), typed: [[Int32]]?) {
        let Z = file.model.config.latent
        guard sentences.count == 2 else {
            var rng = Random(seed: seed)
            let z = (0..<2 * Z).map { _ in rng.normal() }
            let classes = (0..<2).map { _ in file.classes == 0 ? 0 : Int(rng.next() % UInt64(file.classes)) }
            return ((Array(z[0..<Z]), classes[0]), (Array(z[Z...]), classes[1]), nil)
        }
        let (ends, tokens, warnings) = try file.interpolationEnds(
            sentences[0], sentences[1], refine: refine, options: options, fixedClass: fixedClass)
        for w in warnings { warn("warning: " + w) }
        return (ends[0], ends[1], tokens)
    }

    /// Says on stderr which typed sentence the path does not start or end at, what the model gave back instead,
    /// and what to try: the user would otherwise take two strangers for their sentences.
    func warnAboutEnds(_ typed: [[Int32]], _ decoded: [[Int32]], _ file: TrainedModel) {
        let missed = (0..<2).filter { typed[$0] != decoded[$0] }
        guard !missed.isEmpty else { return }
        for i in missed {
            warn(
                "note: the path \(i == 0 ? "starts" : "ends") at \"\(file.text(decoded[i]))\", not at sentence \(i + 1) "
                    + "(\"\(file.text(typed[i]))\" as the model reads it): the model does not give that sentence back")
        }
        warn(
            (refine == 0
                ? "note: that is from the posterior mean; leave out --refine 0, and each end's code moves towards its own sentence first. "
                : "note: that is after \(refine) refinement steps. ")
                + (file.file.trainedRegulariser == .adversarial
                    ? "This model is an autoencoder: sentences of its training file come back most often, and more "
                        + "epochs or a larger code (--latent 64) give back more"
                    : "A model trained as an autoencoder gives more sentences back (textvae train CORPUS --preset "
                        + "homotopy, the demo's recipe)")
                + "; 'textvae evaluate -m MODEL FILE --paths 100' measures how often paths start and end at their sentences")
    }

    /// Index ranges of consecutive equal texts (each index alone without `merge`).
    func runs(_ texts: [String], merge: Bool) -> [(first: Int, last: Int)] {
        var result: [(first: Int, last: Int)] = []
        for (i, t) in texts.enumerated() {
            if merge, let last = result.last, texts[last.first] == t {
                result[result.count - 1].last = i
            } else {
                result.append((i, i))
            }
        }
        return result
    }
}
