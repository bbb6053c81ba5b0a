// The outputs of a step, before its update, kept for the loss:
//   record[step.record + b, o] = y[b, o]
// dispatched only on the steps whose outputs train() hands back.

@group(0) @binding(0) var<uniform> step: Step;
@group(0) @binding(1) var<storage, read> y: array<f32>; // (count, 10)
@group(0) @binding(2) var<storage, read_write> record: array<f32>; // (rows kept, 10)

@compute @workgroup_size(WORKGROUP)
fn main(@builtin(global_invocation_id) id: vec3u) {
  let o = id.x; // the output
  let b = id.y; // the image
  if (o >= CLASSES || b >= step.count) {
    return;
  }
  record[(step.record + b) * CLASSES + o] = y[b * CLASSES + o];
}
