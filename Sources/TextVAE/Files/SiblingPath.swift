/// `dir/name.safetensors` → `dir/name` + suffix.
package func sibling(_ modelPath: String, _ suffix: String) -> String {
    (modelPath.hasSuffix(".safetensors") ? String(modelPath.dropLast(".safetensors".count)) : modelPath) + suffix
}
