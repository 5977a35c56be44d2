import Foundation

/// The safetensors format: 8-byte little-endian header length N, N bytes of
/// JSON header (`__metadata__` with string values, then each tensor's dtype,
/// shape and byte range), then raw little-endian data. Only F32 tensors here.
package struct Safetensors {
    package struct Tensor: Equatable {
        package var name: String
        package var shape: [Int]
        package var data: [Float]

        package init(name: String, shape: [Int], data: [Float]) {
            precondition(shape.reduce(1, *) == data.count, "tensor \(name): shape \(shape) does not match \(data.count) values")
            self.name = name
            self.shape = shape
            self.data = data
        }
    }

    package var metadata: [String: String]
    /// In file order.
    package var tensors: [Tensor]

    package init(metadata: [String: String], tensors: [Tensor]) {
        self.metadata = metadata
        self.tensors = tensors
    }

    package func tensor(_ name: String) -> Tensor? { tensors.first { $0.name == name } }

    /// The file's bytes: compact header, `__metadata__` first (keys sorted),
    /// padded with spaces to a multiple of 8, tensors contiguous in order.
    package func encoded() -> Data {
        var header = "{\"__metadata__\":{"
        header += metadata.keys.sorted().map { "\(jsonString($0)):\(jsonString(metadata[$0]!))" }.joined(separator: ",")
        header += "}"
        var offset = 0
        for t in tensors {
            let bytes = t.data.count * 4
            header +=
                ",\(jsonString(t.name)):{\"dtype\":\"F32\",\"shape\":[\(t.shape.map(String.init).joined(separator: ","))],"
                + "\"data_offsets\":[\(offset),\(offset + bytes)]}"
            offset += bytes
        }
        header += "}"
        while (header.utf8.count + 8) % 8 != 0 { header += " " }
        var data = Data(capacity: 8 + header.utf8.count + offset)
        withUnsafeBytes(of: UInt64(header.utf8.count).littleEndian) { data.append(contentsOf: $0) }
        data.append(contentsOf: Array(header.utf8))
        for t in tensors {
            t.data.withUnsafeBytes { raw in data.append(contentsOf: raw) }  // x86-64 and arm64 are little-endian
        }
        return data
    }

    package static func read(_ path: String) throws -> Safetensors {
        do { return try TextFile.withMappedBytes(path) { try decode($0) } } catch let e as FormatError { throw e.naming(path) }
    }

    struct FormatError: Error {
        let reason: String

        func naming(_ path: String) -> TextVAEError {
            TextVAEError.file(
                path, "is not a valid safetensors file (\(reason))",
                fix: "give a model file written by 'textvae train'; if it was cut short, train or copy it again")
        }
    }

    static func decode(_ bytes: [UInt8]) throws -> Safetensors {
        try bytes.withUnsafeBytes { try decode($0) }
    }

    static func decode(_ bytes: UnsafeRawBufferPointer) throws -> Safetensors {
        let index = try index(bytes)
        let tensors = index.entries.map { e in
            let data = [Float](unsafeUninitializedCapacity: e.shape.reduce(1, *)) { floats, count in
                UnsafeMutableRawBufferPointer(floats).copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[e.bytes]))
                count = floats.count
            }
            return Tensor(name: e.name, shape: e.shape, data: data)
        }
        return Safetensors(metadata: index.metadata, tensors: tensors)
    }

    /// A checked header: the metadata, and where each tensor's bytes lie in the
    /// file. `decode` copies the tensors out; a model loader can copy them
    /// straight into its own block instead.
    struct Index {
        struct Entry {
            let name: String
            let shape: [Int]
            /// Byte offsets in the whole file (header included).
            let bytes: Range<Int>
        }

        var metadata: [String: String]
        /// In file order.
        var entries: [Entry]

        func entry(_ name: String) -> Entry? { entries.first { $0.name == name } }
    }

    static func index(_ bytes: UnsafeRawBufferPointer) throws -> Index {
        guard bytes.count >= 8 else { throw FormatError(reason: "only \(bytes.count) bytes") }
        var n: UInt64 = 0
        for i in (0..<8).reversed() { n = n << 8 | UInt64(bytes[i]) }
        guard n >= 2, n <= UInt64(bytes.count - 8), n < 1 << 30 else {
            throw FormatError(reason: "header length \(n) does not fit a file of \(bytes.count) bytes")
        }
        let headerEnd = 8 + Int(n)
        guard let object = try? JSONSerialization.jsonObject(with: Data(UnsafeRawBufferPointer(rebasing: bytes[8..<headerEnd]))),
            let header = object as? [String: Any]
        else {
            throw FormatError(reason: "the header is not a JSON object")
        }
        var metadata: [String: String] = [:]
        if let m = header["__metadata__"] {
            guard let m = m as? [String: Any] else { throw FormatError(reason: "__metadata__ is not an object") }
            for (k, v) in m {
                guard let s = v as? String else { throw FormatError(reason: "metadata \(k) is not a string") }
                metadata[k] = s
            }
        }
        let dataSize = bytes.count - headerEnd
        var entries: [Index.Entry] = []
        for (name, value) in header where name != "__metadata__" {
            guard let info = value as? [String: Any], let dtype = info["dtype"] as? String,
                let shapeAny = info["shape"] as? [Any], let offsetsAny = info["data_offsets"] as? [Any]
            else {
                throw FormatError(reason: "tensor \(name) lacks dtype, shape or data_offsets")
            }
            guard dtype == "F32" else { throw FormatError(reason: "tensor \(name) is \(dtype); textvae reads F32 only") }
            let shape = shapeAny.compactMap { ($0 as? NSNumber)?.intValue }
            let offsets = offsetsAny.compactMap { ($0 as? NSNumber)?.intValue }
            guard shape.count == shapeAny.count, shape.allSatisfy({ $0 >= 0 && $0 < 1 << 31 }), offsets.count == 2 else {
                throw FormatError(reason: "tensor \(name) has a malformed shape or data_offsets")
            }
            let count = shape.reduce(1) { $0.multipliedReportingOverflow(by: $1).overflow ? Int.max : $0 * $1 }
            guard offsets[0] >= 0, offsets[0] <= offsets[1], offsets[1] <= dataSize, count < Int.max / 4,
                offsets[1] - offsets[0] == count * 4
            else {
                throw FormatError(reason: "tensor \(name)'s bytes \(offsets) do not fit its shape \(shape) or the file (truncated?)")
            }
            entries.append(Index.Entry(name: name, shape: shape, bytes: headerEnd + offsets[0]..<headerEnd + offsets[1]))
        }
        entries.sort { $0.bytes.lowerBound < $1.bytes.lowerBound }
        // Empty tensors (a model without a latent has [H, 0] weights) hold no bytes and overlap nothing.
        let holdingBytes = entries.filter { !$0.bytes.isEmpty }
        for (a, b) in zip(holdingBytes, holdingBytes.dropFirst()) where a.bytes.upperBound > b.bytes.lowerBound {
            throw FormatError(reason: "tensors \(a.name) and \(b.name) overlap")
        }
        return Index(metadata: metadata, entries: entries)
    }
}
