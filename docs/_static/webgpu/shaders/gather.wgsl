// The batch's images as the network's inputs: x[b, p] = grey / 255 in float32.
// The quotient comes from `scale`, a table of the 256 float32 quotients made in
// JavaScript, exactly as MnistDataset divides: WGSL's division may be off in the last bit.

@group(0) @binding(0) var<uniform> step: Step;
@group(0) @binding(1) var<storage, read> images: array<u32>; // 4 pixels a word, 196 words an image
@group(0) @binding(2) var<storage, read> scale: array<f32, 256>;
@group(0) @binding(3) var<storage, read_write> x: array<f32>; // (count, 784)

@compute @workgroup_size(WORKGROUP)
fn main(@builtin(global_invocation_id) id: vec3u) {
  let p = id.x; // the pixel
  let b = id.y; // the image in the batch
  if (p >= PIXELS || b >= step.count) {
    return;
  }
  let byte = (step.first + b) * PIXELS + p;
  let grey = (images[byte / 4u] >> (8u * (byte % 4u))) & 0xffu; // little-endian, as uploaded
  x[b * PIXELS + p] = scale[grey];
}
