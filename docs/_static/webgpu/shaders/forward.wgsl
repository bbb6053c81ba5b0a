// One layer's forward pass, for each image b of the batch:
//   out[b, i] = sigmoid(bias[i] + sum over k of in[b, k] weights[k, i])
// Layer 1 takes x to h, layer 2 takes h to y.

@group(0) @binding(0) var<uniform> step: Step;
@group(0) @binding(1) var<uniform> shape: Shape;
@group(0) @binding(2) var<storage, read> weights: array<f32>; // (inputs, outputs)
@group(0) @binding(3) var<storage, read> bias: array<f32>; // (outputs)
@group(0) @binding(4) var<storage, read> layer_in: array<f32>; // (count, inputs)
@group(0) @binding(5) var<storage, read_write> layer_out: array<f32>; // (count, outputs)

@compute @workgroup_size(WORKGROUP)
fn main(@builtin(global_invocation_id) id: vec3u) {
  let i = id.x; // the output
  let b = id.y; // the image
  if (i >= shape.outputs || b >= step.count) {
    return;
  }
  var z = bias[i];
  for (var k = 0u; k < shape.inputs; k++) {
    let value = layer_in[b * shape.inputs + k];
    // A blank pixel adds nothing: skip its weights, as the WebAssembly kernel does (every
    // thread of a workgroup has the same image, so they all take the same branch).
    if (value != 0.0) {
      z += value * weights[k * shape.outputs + i];
    }
  }
  layer_out[b * shape.outputs + i] = sigmoid(z);
}
