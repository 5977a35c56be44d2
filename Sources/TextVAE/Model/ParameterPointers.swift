/// Named pointers to the tensors of a flat parameter block: the one accessor
/// that kernels use, so that no function computes offsets itself.
struct ParameterPointers {
    let base: UnsafePointer<Float>
    let layout: ParameterLayout

    subscript(_ t: ParameterTensor) -> UnsafePointer<Float> { base + layout.offsets[t.rawValue] }
}
