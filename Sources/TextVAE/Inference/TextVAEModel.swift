import Foundation

/// A trained model for an application: load a file that `textvae train` wrote, then sample, encode,
/// reconstruct, interpolate, classify and score sentences given as plain strings. An actor, so one model may be
/// shared by many tasks; its calls run one at a time (each uses the model's threads).
///
/// ```swift
/// let model = try TextVAEModel(path: "model.safetensors")
/// let samples = try await model.sample(count: 5, seed: 1)
/// let walk = try await model.interpolate("the cat sat on the mat", "a dog ran in the park", steps: 5)
/// ```
///
/// The same seed and options give the sentences `textvae sample` prints; `interpolate` gives `textvae
/// interpolate`'s lines.
///
/// This type and the decoding settings it takes (``DecodingOptions``, ``DecodingMethod``, ``Sampling``,
/// ``RepetitionRule``) are the library's public API; errors are ``TextVAEError``s whose message says what to do.
/// The rest of the package (training, the file formats, the kernels) is `package` access, for the `textvae`
/// command and its server.
public actor TextVAEModel {
    let trained: TrainedModel

    /// One sentence drawn from the prior.
    public struct Sample: Sendable, Equatable {
        public var text: String
        /// The decoder's tokens, `<eos>` left out.
        public var tokens: [String]
        /// The code it was decoded from (Z numbers).
        public var z: [Float]
        /// log p(tokens | z) under the decoder, as the decoding chose them.
        public var logProbability: Double
        /// Its class, for a model with classes.
        public var className: String?
    }

    /// A sentence's class under q(c|x), with the probability of each class (in `classNames`' order).
    public struct Classification: Sendable, Equatable {
        public var className: String
        public var probability: Double
        public var probabilities: [Double]
    }

    /// One point of a homotopy: t from 0 (the first sentence) to 1 (the second), and the greedy decoding there.
    public struct Step: Sendable, Equatable {
        public var t: Double
        public var text: String
    }

    /// Loads a model file (errors name the file and say what to do). A language model without a latent
    /// (`textvae train --baseline lm`) is refused: every call here but `sample` needs z.
    /// - Parameters:
    ///   - path: a model file that `textvae train` wrote.
    ///   - threads: threads for the model's matrix products; nil: `TEXTVAE_THREADS`, else the core count.
    public init(path: String, threads: Int? = nil) throws {
        trained = try TrainedModel.load(path, threads: threads ?? Workspace.defaultThreads)
        try trained.requireLatent(for: "be used through TextVAEModel")
    }

    /// The size of z.
    public var latentSize: Int { trained.latent }
    /// The model's classes (empty for a model without).
    public var classNames: [String] { trained.classes == 0 ? [] : trained.classNames }

    /// `count` sentences decoded from codes z ~ N(0, I) drawn with `seed`; in a model with classes, of the class
    /// `label`, or each of a class drawn uniformly.
    public func sample(count: Int, seed: UInt64 = 0, options: DecodingOptions = DecodingOptions(), label: String? = nil) throws -> [Sample]
    {
        guard count >= 1 else { throw TextVAEError.invalidInput("count must be at least 1, got \(count)") }
        let fixed = try label.map { try trained.classIndex(named: $0) }
        let (z, rowSeeds) = trained.priorDraws(count: count, seed: seed)
        let classes = trained.priorClasses(count: count, seed: seed, fixed: fixed)
        let decoded = trained.decode(
            z, classes: classes.isEmpty ? nil : classes.flatMap(trained.oneHot), options: options, rowSeeds: rowSeeds)
        let Z = trained.latent
        return decoded.enumerated().map { r, hypotheses in
            let best = hypotheses[0]
            return Sample(
                text: trained.text(best.tokens), tokens: best.tokens.map { trained.vocabulary.tokens[Int($0)] },
                z: Array(z[r * Z..<(r + 1) * Z]), logProbability: Double(best.logProbability),
                className: classes.isEmpty ? nil : trained.classNames[classes[r]])
        }
    }

    /// Each sentence's posterior mean μ (Z numbers). With `refine` > 0, a sentence that μ does not give back gets
    /// the code `reconstruct(_:refine:options:)` decodes with the repetition rule on, as `textvae encode --refine`
    /// writes. Throws when a sentence has no words to encode.
    public func encode(_ sentences: [String], refine: Int = 0) throws -> [[Float]] {
        try Self.checkRefine(refine)
        let ids = try ids(of: sentences)
        let z = trained.refinedMeans(ids, trained.encode(ids), steps: refine), Z = trained.latent
        return (0..<ids.count).map { Array(z[$0 * Z..<($0 + 1) * Z]) }
    }

    /// Each sentence encoded to its posterior mean and decoded again (in a model with classes, with its most
    /// likely class). With `refine` > 0, a sentence that μ does not give back has its code refined by that many
    /// gradient steps on its own objective, kept where its greedy decoding gives more of the sentence back (as
    /// `textvae reconstruct --refine`).
    public func reconstruct(_ sentences: [String], refine: Int = 0, options: DecodingOptions = DecodingOptions()) throws -> [String] {
        try Self.checkRefine(refine)
        let ids = try ids(of: sentences)
        let posteriors = trained.encode(ids)
        let mostLikely = trained.classes == 0 ? nil : posteriors.mostLikelyClasses
        let z = trained.refinedCodes(ids, from: posteriors.mu, classes: mostLikely, steps: refine, options: options)
        return trained.decode(z, classes: mostLikely?.flatMap(trained.oneHot), options: options).map { trained.text($0[0].tokens) }
    }

    /// Refinement steps for the ends of a homotopy unless asked otherwise (`interpolate`, `textvae interpolate`,
    /// the server's `/v1/interpolate`): the user typed those sentences and expects the path to start and end
    /// there. On the demo's autoencoder 20 steps give back 41% of held-out sentences against 24% from μ (on a Penn
    /// Treebank autoencoder 100 steps gave back no more than 20); each step is a decoder pass forward and back, tens
    /// of milliseconds in all.
    public static let interpolationRefinement = 20

    /// Bowman et al.'s homotopy: `steps` evenly spaced points on the line between the two sentences' codes, each
    /// decoded greedily (a model with classes moves c between the two ends' most likely classes). The codes are
    /// the posterior means, except that an end whose mean does not give its sentence back is refined by `refine`
    /// steps first (20 by default, as `textvae interpolate` does; 0: the posterior means), as `reconstruct` refines.
    public func interpolate(
        _ first: String, _ second: String, steps: Int = 5, refine: Int = TextVAEModel.interpolationRefinement,
        options: DecodingOptions = DecodingOptions()
    ) throws -> [Step] {
        guard steps >= 2 else { throw TextVAEError.invalidInput("steps must be at least 2, got \(steps)") }
        try Self.checkRefine(refine)
        let ends = try trained.interpolationEnds(first, second, refine: refine, options: options).ends
        let ts = Interpolation.steps(steps)
        let (z, classes) = trained.homotopy(ends[0], ends[1], at: ts)
        let texts = trained.decode(z, classes: classes, options: options).map { trained.text($0[0].tokens) }
        return zip(ts, texts).map { Step(t: $0, text: $1) }
    }

    /// Each sentence's most likely class under q(c|x). Throws for a model without classes.
    public func classify(_ sentences: [String]) throws -> [Classification] {
        guard trained.classes > 0 else {
            throw TextVAEError.modelLacks(
                "\(trained.path) has no classes: train with labels (--label-column or --label-file) or with --classes K to classify")
        }
        let posteriors = trained.encode(try ids(of: sentences))
        return posteriors.mostLikelyClasses.enumerated().map { i, k in
            let q = posteriors.classProbabilities(i).map(Double.init)
            return Classification(className: trained.classNames[k], probability: q[k], probabilities: q)
        }
    }

    /// Each sentence's −ELBO in nats, with one z ~ q(z|x) drawn with `seed` (as validation scores sentences).
    public func score(_ sentences: [String], seed: UInt64 = 0) throws -> [Double] {
        var rng = Random(seed: seed)
        let scores = trained.model.score(try ids(of: sentences), rng: &rng, workspace: trained.workspace)
        return (0..<scores.count).map { i in
            Double(scores.rec[i]) + Double(scores.kl[i]) + (scores.classKL.isEmpty ? 0 : Double(scores.classKL[i]))
        }
    }

    /// Refinement steps: 0 (off) to `maxRefinementSteps`.
    static func checkRefine(_ steps: Int) throws {
        guard (0...TrainedModel.maxRefinementSteps).contains(steps) else {
            throw TextVAEError.invalidInput("refine must be between 0 and \(TrainedModel.maxRefinementSteps) steps, got \(steps)")
        }
    }

    /// The sentences as token ids, one row each; a sentence without words is an error naming it.
    func ids(of sentences: [String]) throws -> [[Int32]] {
        try sentences.enumerated().map { i, s in try trained.requireTokens(s, what: "sentence \(i + 1)") }
    }
}
