import Foundation

/// A training checkpoint: a complete model file (usable as a model) plus
/// Adam's moments as extra tensors and the run's state as metadata.
package struct Checkpoint {
    package var file: ModelFile
    package var adam: Adam
    package var state: TrainingState
    package var options: TrainingOptions
    package var data: TrainingData
    /// Where the best model goes.
    package var output: String
    /// The adversarial prior's discriminator and optimiser, in a run with `--regulariser adversarial`.
    package var adversary: AdversaryState?

    package init(
        file: ModelFile, adam: Adam, state: TrainingState, options: TrainingOptions, data: TrainingData, output: String,
        adversary: AdversaryState? = nil
    ) {
        self.file = file
        self.adam = adam
        self.state = state
        self.options = options
        self.data = data
        self.output = output
        self.adversary = adversary
    }

    static let checkpointKeys = [
        "checkpoint", "training_state", "train_options", "train_data", "adam_steps", "output", AdversaryState.stepsKey,
    ]

    package func save(to path: String) throws {
        let P = file.model.layout.total
        var tensors = [
            Safetensors.Tensor(name: "optimizer.adam_m", shape: [P], data: adam.m),
            Safetensors.Tensor(name: "optimizer.adam_v", shape: [P], data: adam.v),
        ]
        var metadata = [
            "checkpoint": "1",
            "training_state": try ModelFile.json(state),
            "train_options": try ModelFile.json(options),
            "train_data": try ModelFile.json(data),
            "adam_steps": String(adam.steps),
            "output": output,
        ]
        if let adversary {
            let D = adversary.discriminator.parameters.count
            tensors += [
                Safetensors.Tensor(name: AdversaryState.parametersTensor, shape: [D], data: adversary.discriminator.parameters),
                Safetensors.Tensor(name: AdversaryState.firstMomentTensor, shape: [D], data: adversary.adam.m),
                Safetensors.Tensor(name: AdversaryState.secondMomentTensor, shape: [D], data: adversary.adam.v),
            ]
            metadata[AdversaryState.stepsKey] = String(adversary.adam.steps)
        }
        try file.save(to: path, extraTensors: tensors, extraMetadata: metadata)
    }

    package static func load(_ path: String) throws -> Checkpoint {
        try load(Safetensors.read(path), name: path)
    }

    /// Reads a checkpoint held in memory; `name` is what errors call it.
    package static func load(data: Data, name: String) throws -> Checkpoint {
        let raw: Safetensors
        do { raw = try data.withUnsafeBytes { try Safetensors.decode($0) } } catch let e as Safetensors.FormatError { throw e.naming(name) }
        return try load(raw, name: name)
    }

    static func load(_ raw: Safetensors, name path: String) throws -> Checkpoint {
        var file = try ModelFile.load(raw, path: path)
        for key in checkpointKeys { file.extraMetadata[key] = nil }  // the best model must not carry them
        func meta<T: Decodable>(_ key: String, _ type: T.Type) throws -> T {
            guard let s = raw.metadata[key] else {
                throw TextVAEError.file(
                    path, "is a model file, not a training checkpoint (no '\(key)')",
                    fix: "resume from the .checkpoint.safetensors file that train writes next to the model")
            }
            guard let v = try? JSONDecoder().decode(T.self, from: Data(s.utf8)) else {
                throw TextVAEError.file(
                    path, "has a damaged '\(key)' (not the JSON a checkpoint holds)",
                    fix: "resume from an undamaged checkpoint written by 'textvae train', or start a new run")
            }
            return v
        }
        let state = try meta("training_state", TrainingState.self)
        let options = try meta("train_options", TrainingOptions.self)
        let data = try meta("train_data", TrainingData.self)
        if let problem = state.problem ?? options.problem {
            throw TextVAEError.file(
                path, "holds an unusable training state: \(problem)",
                fix: "resume from an undamaged checkpoint written by 'textvae train', or start a new run")
        }
        let P = file.model.layout.total
        guard let m = raw.tensor("optimizer.adam_m")?.data, let v = raw.tensor("optimizer.adam_v")?.data,
            m.count == P, v.count == P, let steps = raw.metadata["adam_steps"].flatMap(Int.init), (0..<(1 << 40)).contains(steps),
            state.shuffleState.count == 4
        else {
            throw TextVAEError.file(path, "has no usable optimiser state", fix: "resume from a checkpoint written by 'textvae train'")
        }
        var adam = Adam(parameterCount: P, learningRate: state.learningRate ?? options.learningRate)
        adam.m = m; adam.v = v; adam.steps = steps
        return Checkpoint(
            file: file, adam: adam, state: state, options: options, data: data,
            output: raw.metadata["output"] ?? path.replacingOccurrences(of: ".checkpoint.safetensors", with: ".safetensors"),
            adversary: try adversary(raw, options: options, latent: file.model.config.latent, name: path))
    }

    /// The adversarial prior's state, in a run that has one.
    private static func adversary(_ raw: Safetensors, options: TrainingOptions, latent: Int, name path: String) throws -> AdversaryState? {
        guard options.regulariser == .adversarial else { return nil }
        let D = LatentDiscriminator.parameterCount(latent: latent)
        guard let parameters = raw.tensor(AdversaryState.parametersTensor)?.data,
            let m = raw.tensor(AdversaryState.firstMomentTensor)?.data,
            let v = raw.tensor(AdversaryState.secondMomentTensor)?.data, parameters.count == D, m.count == D, v.count == D,
            parameters.allSatisfy(\.isFinite), let steps = raw.metadata[AdversaryState.stepsKey].flatMap(Int.init),
            (0..<(1 << 40)).contains(steps)
        else {
            throw TextVAEError.file(
                path, "has no usable discriminator for its adversarial prior", fix: "resume from a checkpoint written by 'textvae train'")
        }
        var adam = Adam(parameterCount: D, learningRate: options.learningRate)
        adam.m = m; adam.v = v; adam.steps = steps
        return AdversaryState(discriminator: LatentDiscriminator(latent: latent, parameters: parameters), adam: adam)
    }
}
