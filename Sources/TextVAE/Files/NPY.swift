import Foundation

/// NumPy's `.npy` format, version 1.0, for a row-major float32 matrix, so
/// that `numpy.load` reads textvae's outputs directly:
///
///     "\x93NUMPY"  0x01 0x00  header length (UInt16, little-endian)
///     "{'descr': '<f4', 'fortran_order': False, 'shape': (N, Z), }" + spaces + "\n"
///     N·Z little-endian float32 values
///
/// The header is padded so that the data starts at a multiple of 64 bytes, as
/// NumPy itself writes it (it allows memory-mapping with aligned rows).
package enum NPY {
    static let magic: [UInt8] = [0x93] + Array("NUMPY".utf8)

    package static func encode(rows: Int, columns: Int, values: [Float]) -> Data {
        precondition(rows >= 0 && columns >= 0 && values.count == rows * columns, "values must be rows × columns")
        var header = "{'descr': '<f4', 'fortran_order': False, 'shape': (\(rows), \(columns)), }"
        let fixed = magic.count + 2 + 2  // magic, version, header length
        let total = (fixed + header.utf8.count + 1 + 63) / 64 * 64
        header += String(repeating: " ", count: total - fixed - header.utf8.count - 1) + "\n"
        var data = Data(capacity: total + values.count * 4)
        data.append(contentsOf: magic)
        data.append(contentsOf: [1, 0])
        let length = UInt16(header.utf8.count)
        data.append(contentsOf: [UInt8(length & 0xFF), UInt8(length >> 8)])
        data.append(contentsOf: Array(header.utf8))
        #if _endian(little)
            values.withUnsafeBytes { data.append(contentsOf: $0) }
        #else
            for v in values { withUnsafeBytes(of: v.bitPattern.littleEndian) { data.append(contentsOf: $0) } }
        #endif
        return data
    }

    /// Writes the matrix to `path` atomically (a reader never sees half a file).
    package static func write(rows: Int, columns: Int, values: [Float], to path: String) throws {
        try AtomicFile.write(encode(rows: rows, columns: columns, values: values), to: path)
    }
}
