// Put in front of each of the other shaders by gpu-kernel.js: what they all share.
//
// The network is 784-hidden-10. Each layer's weights are stored (inputs, outputs), the
// transpose of PyTorch's (outputs, inputs): neighbouring threads, which work on
// neighbouring outputs, then read neighbouring weights.

const PIXELS = 784u; // 28 x 28 inputs
const CLASSES = 10u; // outputs, one per digit
const WORKGROUP = 64u; // threads per workgroup, along x: gpu-kernel.js divides by it too

// One training step, with its own slot in a uniform buffer (a dynamic offset picks it).
struct Step {
  first: u32, // the batch's first image, counted in the image buffer
  count: u32, // images in the batch
  alpha: f32, // -lr / (10 count): the mean of the loss over the batch's outputs, folded in
  record: u32, // the row of record.wgsl's buffer for this step's first image, if it is kept
}

// A layer's size. Layer 1 is (784, hidden), layer 2 (hidden, 10).
struct Shape {
  inputs: u32,
  outputs: u32,
}

fn sigmoid(z: f32) -> f32 {
  // exp(80) fits in a float32 (exp(89) would not, and WGSL leaves an overflow's result
  // undefined); past +-80 the sigmoid is 0 or 1 to float32's precision anyway.
  return 1.0 / (1.0 + exp(-clamp(z, -80.0, 80.0)));
}
