/// A model's classes as commands use them: names, codes [z; c] for the decoder, and q(c|x).
extension TrainedModel {
    /// K: the classes of c (0 for a model without them).
    package var classes: Int { model.config.classes }
    package var classNames: [String] { file.classNames }

    /// The class called `name` (a label the model was trained with, or a class number for classes it found
    /// itself), or an error that lists them.
    package func classIndex(named name: String) throws -> Int {
        guard classes > 0 else {
            throw TextVAEError.modelLacks(
                "\(path) has no classes (it was trained without labels or --classes); leave out --with-label and --with-class")
        }
        if let k = classNames.firstIndex(of: name) { return k }
        throw TextVAEError.modelLacks("\(path) has no class '\(name)'; its classes are: \(classNames.joined(separator: ", "))")
    }

    /// The class numbered `k` (0 ..< K), or an error.
    package func classIndex(number k: Int) throws -> Int {
        guard classes > 0 else {
            throw TextVAEError.modelLacks(
                "\(path) has no classes (it was trained without labels or --classes); leave out --with-label and --with-class")
        }
        guard k >= 0 && k < classes else {
            throw TextVAEError.modelLacks(
                "--with-class \(k) is out of range: \(path) has classes 0 to \(classes - 1) (\(classNames.joined(separator: ", ")))")
        }
        return k
    }

    /// c for class k: one-hot (K values).
    package func oneHot(_ k: Int) -> [Float] { (0..<classes).map { $0 == k ? 1 : 0 } }

    /// The decoder's codes: each row of z (N × Z) followed by its class vector (N × K), or by the average
    /// class (1/K each) when `classes` is nil. Without classes, z itself.
    package func codes(_ z: [Float], classes c: [Float]?) -> [Float] {
        let (Z, K) = (latent, classes)
        guard K > 0 else { return z }
        let N = z.count / Z
        precondition(c == nil || c!.count == N * K, "one class vector per row of z")
        var out: [Float] = []
        out.reserveCapacity(N * (Z + K))
        for i in 0..<N {
            out += z[i * Z..<(i + 1) * Z]
            if let c { out += c[i * K..<(i + 1) * K] } else { out += [Float](repeating: 1 / Float(K), count: K) }
        }
        return out
    }
}
