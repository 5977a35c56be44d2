/// out[j] += Σ_i m[i, j] for a row-major (rows, columns) matrix whose rows are `stride` apart.
func addColumnSums(_ m: UnsafePointer<Float>, rows: Int, columns: Int, stride: Int? = nil, into out: UnsafeMutablePointer<Float>) {
    for i in 0..<rows {
        let row = m + i * (stride ?? columns)
        for j in 0..<columns { out[j] += row[j] }
    }
}
