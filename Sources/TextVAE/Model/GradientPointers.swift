/// Named pointers into a gradient block laid out as the parameters are.
struct GradientPointers {
    let base: UnsafeMutablePointer<Float>
    let layout: ParameterLayout

    subscript(_ t: ParameterTensor) -> UnsafeMutablePointer<Float> { base + layout.offsets[t.rawValue] }
}
