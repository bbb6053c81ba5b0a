// The error at the outputs, dy = y - t, where the target t is 1 for the image's label
// and 0 for the other nine. For sigmoid outputs and the mean binary cross-entropy, the
// loss's gradient with respect to the outputs' sums is dy / (10 count); the step's
// alpha holds that 1 / (10 count).

@group(0) @binding(0) var<uniform> step: Step;
@group(0) @binding(1) var<storage, read> labels: array<u32>; // one a word
@group(0) @binding(2) var<storage, read> y: array<f32>; // (count, 10)
@group(0) @binding(3) var<storage, read_write> dy: array<f32>; // (count, 10)

@compute @workgroup_size(WORKGROUP)
fn main(@builtin(global_invocation_id) id: vec3u) {
  let o = id.x; // the output
  let b = id.y; // the image
  if (o >= CLASSES || b >= step.count) {
    return;
  }
  let t = select(0.0, 1.0, labels[step.first + b] == o);
  dy[b * CLASSES + o] = y[b * CLASSES + o] - t;
}
