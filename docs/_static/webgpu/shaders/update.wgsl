// One layer's step of gradient descent, summed over the batch:
//   weights[k, i] += alpha * sum over b of in[b, k] error[b, i]
//   bias[i]       += alpha * sum over b of error[b, i]
// Layer 2 with h and dy, layer 1 with x and dh. Each thread owns one weight, so no two
// threads write the same number; the threads of input 0 own the biases too.

@group(0) @binding(0) var<uniform> step: Step;
@group(0) @binding(1) var<uniform> shape: Shape;
@group(0) @binding(2) var<storage, read_write> weights: array<f32>; // (inputs, outputs)
@group(0) @binding(3) var<storage, read_write> bias: array<f32>; // (outputs)
@group(0) @binding(4) var<storage, read> layer_in: array<f32>; // (count, inputs)
@group(0) @binding(5) var<storage, read> error: array<f32>; // (count, outputs)

@compute @workgroup_size(WORKGROUP)
fn main(@builtin(global_invocation_id) id: vec3u) {
  let i = id.x; // the output
  let k = id.y; // the input
  if (i >= shape.outputs || k >= shape.inputs) {
    return;
  }
  var sum = 0.0;
  for (var b = 0u; b < step.count; b++) {
    sum += layer_in[b * shape.inputs + k] * error[b * shape.outputs + i];
  }
  // Where the input was 0 in every image (a pixel blank in all of them), the weight stays
  // as it is: leave it unread and unwritten (the workgroup shares k, so it agrees).
  if (sum != 0.0) {
    weights[k * shape.outputs + i] += step.alpha * sum;
  }
  if (k == 0u) {
    var total = 0.0;
    for (var b = 0u; b < step.count; b++) {
      total += error[b * shape.outputs + i];
    }
    bias[i] += step.alpha * total;
  }
}
