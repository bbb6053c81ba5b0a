// The error at the hidden layer, sent back through layer 2 and the sigmoid's slope:
//   dh[b, j] = (sum over o of weights[j, o] dy[b, o]) h[b, j] (1 - h[b, j])
// It runs before layer 2's update, so it uses the old weights, as PyTorch's step does.

@group(0) @binding(0) var<uniform> step: Step;
@group(0) @binding(1) var<uniform> shape: Shape; // layer 2's: (hidden, 10)
@group(0) @binding(2) var<storage, read> weights: array<f32>; // (hidden, 10)
@group(0) @binding(3) var<storage, read> dy: array<f32>; // (count, 10)
@group(0) @binding(4) var<storage, read> h: array<f32>; // (count, hidden)
@group(0) @binding(5) var<storage, read_write> dh: array<f32>; // (count, hidden)

@compute @workgroup_size(WORKGROUP)
fn main(@builtin(global_invocation_id) id: vec3u) {
  let j = id.x; // the hidden node
  let b = id.y; // the image
  if (j >= shape.inputs || b >= step.count) {
    return;
  }
  var back = 0.0;
  for (var o = 0u; o < shape.outputs; o++) {
    back += weights[j * shape.outputs + o] * dy[b * shape.outputs + o];
  }
  let hj = h[b * shape.inputs + j];
  dh[b * shape.inputs + j] = back * (hj - hj * hj);
}
