;; The tutorial's training step, in WebAssembly with 128-bit SIMD, for the "Train it
;; yourself" page (train-worker.js runs it; tests/test_train_kernel.py holds it against
;; PyTorch). The same maths, in the same order, as mnisttutor.training._steps (the
;; numba loop of train_per_sample_fast):
;;
;;   h = sigmoid(W1 x + b1), y = sigmoid(W2 h + b2), loss = mean BCE over the 10 outputs
;;   dy = y - t (the loss's gradient times 10; alpha = -lr / 10 folds the mean in)
;;   dh = (W2^T dy) * h (1 - h), with the old W2
;;   W2 += alpha dy h^T, b2 += alpha dy, W1 += alpha dh x^T, b1 += alpha dh
;;
;; Float32 weights, 4 hidden nodes per v128. W1 is stored transposed, (784, hidden), so
;; each pixel's weights are one contiguous row: a blank pixel adds nothing to the sums and
;; its weights' gradient is zero, so a step touches only the rows of the non-blank pixels
;; (about a fifth of them). `setup` lays out the memory; the exported *_at functions give
;; the addresses, so the layout is written down only here.
(module
  (memory (export "memory") 1)

  (global $hidden (mut i32) (i32.const 0))
  (global $row_bytes (mut i32) (i32.const 0))  ;; 4 * hidden: one row of hidden floats
  (global $w1 (mut i32) (i32.const 0))  ;; (784, hidden) f32: W1 transposed
  (global $b1 (mut i32) (i32.const 0))  ;; (hidden) f32
  (global $w2 (mut i32) (i32.const 0))  ;; (10, hidden) f32
  (global $b2 (mut i32) (i32.const 0))  ;; (10) f32, padded to 16
  (global $h (mut i32) (i32.const 0))  ;; (hidden) f32: the hidden layer's outputs
  (global $dh (mut i32) (i32.const 0))  ;; (hidden) f32: their gradient
  (global $y (mut i32) (i32.const 0))  ;; (10) f32: the outputs, then y - t
  (global $rows (mut i32) (i32.const 0))  ;; (784) i32: W1's row address per non-blank pixel
  (global $values (mut i32) (i32.const 0))  ;; (784) f32: that pixel's value, grey / 255
  (global $free (mut i32) (i32.const 0))  ;; the first byte after all of these

  ;; Lay out the memory for `hidden` nodes (a positive multiple of 4) and grow it to
  ;; fit; returns the first free byte, where the caller may put its images.
  (func (export "setup") (param $n i32) (result i32)
    (local $at i32)
    (local $pages i32)
    (if (i32.or (i32.le_s (local.get $n) (i32.const 0))
                (i32.and (local.get $n) (i32.const 3)))
      (then unreachable))
    (global.set $hidden (local.get $n))
    (global.set $row_bytes (i32.shl (local.get $n) (i32.const 2)))
    (local.set $at (i32.const 64))
    (global.set $w1 (local.get $at))
    (local.set $at (i32.add (local.get $at) (i32.mul (global.get $row_bytes) (i32.const 784))))
    (global.set $b1 (local.get $at))
    (local.set $at (i32.add (local.get $at) (global.get $row_bytes)))
    (global.set $w2 (local.get $at))
    (local.set $at (i32.add (local.get $at) (i32.mul (global.get $row_bytes) (i32.const 10))))
    (global.set $b2 (local.get $at))
    (local.set $at (i32.add (local.get $at) (i32.const 64)))
    (global.set $h (local.get $at))
    (local.set $at (i32.add (local.get $at) (global.get $row_bytes)))
    (global.set $dh (local.get $at))
    (local.set $at (i32.add (local.get $at) (global.get $row_bytes)))
    (global.set $y (local.get $at))
    (local.set $at (i32.add (local.get $at) (i32.const 64)))
    (global.set $rows (local.get $at))
    (local.set $at (i32.add (local.get $at) (i32.const 3136)))
    (global.set $values (local.get $at))
    (local.set $at (i32.add (local.get $at) (i32.const 3136)))
    (global.set $free (local.get $at))
    (call $reserve (local.get $at))
    (local.get $at))

  ;; Grow the memory to hold `bytes` bytes.
  (func $reserve (export "reserve") (param $bytes i32)
    (local $pages i32)
    (local.set $pages (i32.sub (i32.shr_u (i32.add (local.get $bytes) (i32.const 65535))
                                          (i32.const 16))
                               (memory.size)))
    (if (i32.gt_s (local.get $pages) (i32.const 0))
      (then (if (i32.eq (memory.grow (local.get $pages)) (i32.const -1))
              (then unreachable)))))

  (func (export "w1_at") (result i32) (global.get $w1))
  (func (export "b1_at") (result i32) (global.get $b1))
  (func (export "w2_at") (result i32) (global.get $w2))
  (func (export "b2_at") (result i32) (global.get $b2))
  (func (export "outputs_at") (result i32) (global.get $y))

  ;; exp(t) in float64: t = k ln 2 + r with |r| <= ln 2 / 2, exp(r) by its Taylor series
  ;; to r^10 / 10! (relative error under 1e-12, far below float32's 6e-8), times 2^k built
  ;; in the exponent bits. WebAssembly has no exp instruction.
  (func $exp (param $t f64) (result f64)
    (local $k f64)
    (local $r f64)
    (local.set $t (f64.min (f64.max (local.get $t) (f64.const -700)) (f64.const 700)))
    (local.set $k (f64.nearest (f64.mul (local.get $t) (f64.const 1.4426950408889634))))
    ;; ln 2 in two parts, so k * (high part) is exact
    (local.set $r (f64.sub (f64.sub (local.get $t)
                                    (f64.mul (local.get $k) (f64.const 0.6931471803691238)))
                           (f64.mul (local.get $k) (f64.const 1.9082149292705877e-10))))
    (f64.mul
      (f64.add (f64.const 1) (f64.mul (local.get $r)
      (f64.add (f64.const 1) (f64.mul (local.get $r)
      (f64.add (f64.const 0.5) (f64.mul (local.get $r)
      (f64.add (f64.const 0.16666666666666666) (f64.mul (local.get $r)
      (f64.add (f64.const 0.041666666666666664) (f64.mul (local.get $r)
      (f64.add (f64.const 0.008333333333333333) (f64.mul (local.get $r)
      (f64.add (f64.const 0.001388888888888889) (f64.mul (local.get $r)
      (f64.add (f64.const 1.984126984126984e-4) (f64.mul (local.get $r)
      (f64.add (f64.const 2.48015873015873e-5) (f64.mul (local.get $r)
      (f64.add (f64.const 2.755731922398589e-6) (f64.mul (local.get $r)
               (f64.const 2.755731922398589e-7)))))))))))))))))))))
      (f64.reinterpret_i64 (i64.shl (i64.add (i64.trunc_f64_s (local.get $k)) (i64.const 1023))
                                    (i64.const 52)))))

  (func $sigmoid (param $z f32) (result f32)
    (f32.demote_f64
      (f64.div (f64.const 1)
               (f64.add (f64.const 1) (call $exp (f64.neg (f64.promote_f32 (local.get $z))))))))

  ;; The same for 2 lanes at once, in SIMD: 2^k from the bits of k + 1023 + 2^52, a
  ;; float64 whose low bits hold that integer.
  (func $exp2 (param $t v128) (result v128)
    (local $k v128)
    (local $r v128)
    (local.set $t (f64x2.min (f64x2.max (local.get $t) (v128.const f64x2 -700 -700))
                             (v128.const f64x2 700 700)))
    (local.set $k (f64x2.nearest (f64x2.mul (local.get $t)
                                            (v128.const f64x2 1.4426950408889634 1.4426950408889634))))
    (local.set $r (f64x2.sub (f64x2.sub (local.get $t)
                                        (f64x2.mul (local.get $k)
                                                   (v128.const f64x2 0.6931471803691238 0.6931471803691238)))
                             (f64x2.mul (local.get $k)
                                        (v128.const f64x2 1.9082149292705877e-10 1.9082149292705877e-10))))
    (f64x2.mul
      (f64x2.add (v128.const f64x2 1 1) (f64x2.mul (local.get $r)
      (f64x2.add (v128.const f64x2 1 1) (f64x2.mul (local.get $r)
      (f64x2.add (v128.const f64x2 0.5 0.5) (f64x2.mul (local.get $r)
      (f64x2.add (v128.const f64x2 0.16666666666666666 0.16666666666666666) (f64x2.mul (local.get $r)
      (f64x2.add (v128.const f64x2 0.041666666666666664 0.041666666666666664) (f64x2.mul (local.get $r)
      (f64x2.add (v128.const f64x2 0.008333333333333333 0.008333333333333333) (f64x2.mul (local.get $r)
      (f64x2.add (v128.const f64x2 0.001388888888888889 0.001388888888888889) (f64x2.mul (local.get $r)
      (f64x2.add (v128.const f64x2 1.984126984126984e-4 1.984126984126984e-4) (f64x2.mul (local.get $r)
      (f64x2.add (v128.const f64x2 2.48015873015873e-5 2.48015873015873e-5) (f64x2.mul (local.get $r)
      (f64x2.add (v128.const f64x2 2.755731922398589e-6 2.755731922398589e-6) (f64x2.mul (local.get $r)
                 (v128.const f64x2 2.755731922398589e-7 2.755731922398589e-7)))))))))))))))))))))
      (i64x2.shl (i64x2.sub (f64x2.add (local.get $k) (v128.const f64x2 4503599627371519 4503599627371519))
                            (v128.const i64x2 0x4330000000000000 0x4330000000000000))
                 (i32.const 52))))

  ;; sigmoid of 2 float32 lanes, in float64, rounded to float32 in the low 2 lanes.
  (func $sigmoid2 (param $z v128) (result v128)
    (f32x4.demote_f64x2_zero
      (f64x2.div (v128.const f64x2 1 1)
                 (f64x2.add (v128.const f64x2 1 1)
                            (call $exp2 (f64x2.neg (f64x2.promote_low_f32x4 (local.get $z))))))))

  (func $sigmoid4 (param $z v128) (result v128)
    (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
      (call $sigmoid2 (local.get $z))
      (call $sigmoid2 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7
                                     (local.get $z) (local.get $z)))))

  (func $sum4 (param $v v128) (result f32)
    (f32.add (f32.add (f32.add (f32x4.extract_lane 0 (local.get $v))
                               (f32x4.extract_lane 1 (local.get $v)))
                      (f32x4.extract_lane 2 (local.get $v)))
             (f32x4.extract_lane 3 (local.get $v))))

  ;; The non-blank pixels of the 784-byte image at `image`: their W1 rows and values, in
  ;; pixel order. Returns 4 x their number (the bytes they take in $rows and $values).
  ;; Blank runs are skipped 16 pixels at a time.
  (func $gather (param $image i32) (result i32)
    (local $block i32)
    (local $p i32)
    (local $end i32)
    (local $grey i32)
    (local $n i32)
    (loop $blocks
      (if (v128.any_true (v128.load (i32.add (local.get $image) (local.get $block))))
        (then
          (local.set $p (local.get $block))
          (local.set $end (i32.add (local.get $block) (i32.const 16)))
          (loop $pixels
            (local.set $grey (i32.load8_u (i32.add (local.get $image) (local.get $p))))
            (if (local.get $grey)
              (then
                (i32.store (i32.add (global.get $rows) (local.get $n))
                           (i32.add (global.get $w1)
                                    (i32.mul (local.get $p) (global.get $row_bytes))))
                ;; the same float32 division as MnistDataset's images / 255
                (f32.store (i32.add (global.get $values) (local.get $n))
                           (f32.div (f32.convert_i32_u (local.get $grey)) (f32.const 255)))
                (local.set $n (i32.add (local.get $n) (i32.const 4)))))
            (br_if $pixels (i32.lt_u (local.tee $p (i32.add (local.get $p) (i32.const 1)))
                                     (local.get $end))))))
      (br_if $blocks (i32.lt_u (local.tee $block (i32.add (local.get $block) (i32.const 16)))
                               (i32.const 784))))
    (local.get $n))

  ;; h and y for the gathered pixels ($gather's `n` bytes of them).
  (func $forward (param $n i32)
    (local $j i32)
    (local $k i32)
    (local $o i32)
    (local $row i32)
    (local $at i32)
    (local $x v128)
    (local $s0 v128)
    (local $s1 v128)
    (local $s2 v128)
    (local $s3 v128)
    (local $sum v128)
    ;; 16 hidden nodes at a time, in 4 independent sums (so each add need not wait for the
    ;; one before): b1, plus each non-blank pixel's term, in pixel order in every lane
    (block $wide_done
      (loop $wide
        (br_if $wide_done (i32.gt_u (i32.add (local.get $j) (i32.const 64)) (global.get $row_bytes)))
        (local.set $at (i32.add (global.get $b1) (local.get $j)))
        (local.set $s0 (v128.load (local.get $at)))
        (local.set $s1 (v128.load offset=16 (local.get $at)))
        (local.set $s2 (v128.load offset=32 (local.get $at)))
        (local.set $s3 (v128.load offset=48 (local.get $at)))
        (local.set $k (i32.const 0))
        (block $done
          (loop $pixels
            (br_if $done (i32.ge_u (local.get $k) (local.get $n)))
            (local.set $x (v128.load32_splat (i32.add (global.get $values) (local.get $k))))
            (local.set $at (i32.add (i32.load (i32.add (global.get $rows) (local.get $k)))
                                    (local.get $j)))
            (local.set $s0 (f32x4.add (local.get $s0)
                                      (f32x4.mul (local.get $x) (v128.load (local.get $at)))))
            (local.set $s1 (f32x4.add (local.get $s1)
                                      (f32x4.mul (local.get $x) (v128.load offset=16 (local.get $at)))))
            (local.set $s2 (f32x4.add (local.get $s2)
                                      (f32x4.mul (local.get $x) (v128.load offset=32 (local.get $at)))))
            (local.set $s3 (f32x4.add (local.get $s3)
                                      (f32x4.mul (local.get $x) (v128.load offset=48 (local.get $at)))))
            (local.set $k (i32.add (local.get $k) (i32.const 4)))
            (br $pixels)))
        (local.set $at (i32.add (global.get $h) (local.get $j)))
        (v128.store (local.get $at) (call $sigmoid4 (local.get $s0)))
        (v128.store offset=16 (local.get $at) (call $sigmoid4 (local.get $s1)))
        (v128.store offset=32 (local.get $at) (call $sigmoid4 (local.get $s2)))
        (v128.store offset=48 (local.get $at) (call $sigmoid4 (local.get $s3)))
        (local.set $j (i32.add (local.get $j) (i32.const 64)))
        (br $wide)))
    ;; the remaining nodes (hidden not a multiple of 16), 4 at a time
    (block $nodes_done
      (loop $nodes
        (br_if $nodes_done (i32.ge_u (local.get $j) (global.get $row_bytes)))
        (local.set $s0 (v128.load (i32.add (global.get $b1) (local.get $j))))
        (local.set $k (i32.const 0))
        (block $done
          (loop $pixels
            (br_if $done (i32.ge_u (local.get $k) (local.get $n)))
            (local.set $s0
              (f32x4.add (local.get $s0)
                         (f32x4.mul (v128.load32_splat (i32.add (global.get $values) (local.get $k)))
                                    (v128.load (i32.add (i32.load (i32.add (global.get $rows)
                                                                           (local.get $k)))
                                                        (local.get $j))))))
            (local.set $k (i32.add (local.get $k) (i32.const 4)))
            (br $pixels)))
        (v128.store (i32.add (global.get $h) (local.get $j)) (call $sigmoid4 (local.get $s0)))
        (local.set $j (i32.add (local.get $j) (i32.const 16)))
        (br $nodes)))
    ;; the 10 outputs
    (loop $outputs
      (local.set $row (i32.add (global.get $w2) (i32.mul (local.get $o) (global.get $row_bytes))))
      (local.set $sum (v128.const f32x4 0 0 0 0))
      (local.set $j (i32.const 0))
      (loop $terms
        (local.set $sum
          (f32x4.add (local.get $sum)
                     (f32x4.mul (v128.load (i32.add (local.get $row) (local.get $j)))
                                (v128.load (i32.add (global.get $h) (local.get $j))))))
        (br_if $terms (i32.lt_u (local.tee $j (i32.add (local.get $j) (i32.const 16)))
                                (global.get $row_bytes))))
      (f32.store (i32.add (global.get $y) (i32.shl (local.get $o) (i32.const 2)))
                 (call $sigmoid (f32.add (f32.load (i32.add (global.get $b2)
                                                            (i32.shl (local.get $o) (i32.const 2))))
                                         (call $sum4 (local.get $sum)))))
      (br_if $outputs (i32.lt_u (local.tee $o (i32.add (local.get $o) (i32.const 1)))
                                (i32.const 10)))))

  ;; Back from y to the weights, for target digit `label`; `alpha` is -lr / 10.
  (func $backward (param $n i32) (param $label i32) (param $alpha f32)
    (local $j i32)
    (local $k i32)
    (local $o i32)
    (local $row i32)
    (local $at i32)
    (local $sum v128)
    (local $hv v128)
    (local $step v128)
    (local $d0 v128)
    (local $d1 v128)
    (local $d2 v128)
    (local $d3 v128)
    (local $scalar f32)
    ;; y - t, in place: the target is 1 for the label, 0 for the rest
    (loop $outputs
      (local.set $at (i32.add (global.get $y) (i32.shl (local.get $o) (i32.const 2))))
      (f32.store (local.get $at)
                 (f32.sub (f32.load (local.get $at))
                          (f32.convert_i32_u (i32.eq (local.get $o) (local.get $label)))))
      (br_if $outputs (i32.lt_u (local.tee $o (i32.add (local.get $o) (i32.const 1)))
                                (i32.const 10))))
    ;; dh = (W2^T dy) * (h - h h), through the old W2, 4 nodes at a time
    (loop $nodes
      (local.set $sum (f32x4.mul (v128.load (i32.add (global.get $w2) (local.get $j)))
                                 (v128.load32_splat (global.get $y))))
      (local.set $o (i32.const 1))
      (loop $terms
        (local.set $sum
          (f32x4.add (local.get $sum)
                     (f32x4.mul (v128.load (i32.add (i32.add (global.get $w2) (local.get $j))
                                                    (i32.mul (local.get $o) (global.get $row_bytes))))
                                (v128.load32_splat (i32.add (global.get $y)
                                                            (i32.shl (local.get $o) (i32.const 2)))))))
        (br_if $terms (i32.lt_u (local.tee $o (i32.add (local.get $o) (i32.const 1)))
                                (i32.const 10))))
      (local.set $hv (v128.load (i32.add (global.get $h) (local.get $j))))
      (v128.store (i32.add (global.get $dh) (local.get $j))
                  (f32x4.mul (local.get $sum)
                             (f32x4.sub (local.get $hv) (f32x4.mul (local.get $hv) (local.get $hv)))))
      (br_if $nodes (i32.lt_u (local.tee $j (i32.add (local.get $j) (i32.const 16)))
                              (global.get $row_bytes))))
    ;; W2 += (alpha dy_o) h, b2 += alpha dy_o
    (local.set $o (i32.const 0))
    (loop $outputs
      (local.set $scalar (f32.mul (local.get $alpha)
                                  (f32.load (i32.add (global.get $y)
                                                     (i32.shl (local.get $o) (i32.const 2))))))
      (local.set $step (f32x4.splat (local.get $scalar)))
      (local.set $row (i32.add (global.get $w2) (i32.mul (local.get $o) (global.get $row_bytes))))
      (local.set $j (i32.const 0))
      (loop $terms
        (local.set $at (i32.add (local.get $row) (local.get $j)))
        (v128.store (local.get $at)
                    (f32x4.add (v128.load (local.get $at))
                               (f32x4.mul (local.get $step)
                                          (v128.load (i32.add (global.get $h) (local.get $j))))))
        (br_if $terms (i32.lt_u (local.tee $j (i32.add (local.get $j) (i32.const 16)))
                                (global.get $row_bytes))))
      (local.set $at (i32.add (global.get $b2) (i32.shl (local.get $o) (i32.const 2))))
      (f32.store (local.get $at) (f32.add (f32.load (local.get $at)) (local.get $scalar)))
      (br_if $outputs (i32.lt_u (local.tee $o (i32.add (local.get $o) (i32.const 1)))
                                (i32.const 10))))
    ;; each non-blank pixel's W1 row += (alpha x_p) dh. First alpha x_p for each, in place
    ;; of x_p (the forward pass is done with it); then 16 nodes at a time, their dh held
    ;; in 4 registers while the rows are updated, then the rest 4 at a time.
    (block $done
      (loop $pixels
        (br_if $done (i32.ge_u (local.get $k) (local.get $n)))
        (local.set $at (i32.add (global.get $values) (local.get $k)))
        (f32.store (local.get $at) (f32.mul (local.get $alpha) (f32.load (local.get $at))))
        (local.set $k (i32.add (local.get $k) (i32.const 4)))
        (br $pixels)))
    (local.set $j (i32.const 0))
    (block $wide_done
      (loop $wide
        (br_if $wide_done (i32.gt_u (i32.add (local.get $j) (i32.const 64)) (global.get $row_bytes)))
        (local.set $at (i32.add (global.get $dh) (local.get $j)))
        (local.set $d0 (v128.load (local.get $at)))
        (local.set $d1 (v128.load offset=16 (local.get $at)))
        (local.set $d2 (v128.load offset=32 (local.get $at)))
        (local.set $d3 (v128.load offset=48 (local.get $at)))
        (local.set $k (i32.const 0))
        (block $done
          (loop $pixels
            (br_if $done (i32.ge_u (local.get $k) (local.get $n)))
            (local.set $step (v128.load32_splat (i32.add (global.get $values) (local.get $k))))
            (local.set $at (i32.add (i32.load (i32.add (global.get $rows) (local.get $k)))
                                    (local.get $j)))
            (v128.store (local.get $at)
                        (f32x4.add (v128.load (local.get $at))
                                   (f32x4.mul (local.get $step) (local.get $d0))))
            (v128.store offset=16 (local.get $at)
                        (f32x4.add (v128.load offset=16 (local.get $at))
                                   (f32x4.mul (local.get $step) (local.get $d1))))
            (v128.store offset=32 (local.get $at)
                        (f32x4.add (v128.load offset=32 (local.get $at))
                                   (f32x4.mul (local.get $step) (local.get $d2))))
            (v128.store offset=48 (local.get $at)
                        (f32x4.add (v128.load offset=48 (local.get $at))
                                   (f32x4.mul (local.get $step) (local.get $d3))))
            (local.set $k (i32.add (local.get $k) (i32.const 4)))
            (br $pixels)))
        (local.set $j (i32.add (local.get $j) (i32.const 64)))
        (br $wide)))
    (block $nodes_done
      (loop $nodes
        (br_if $nodes_done (i32.ge_u (local.get $j) (global.get $row_bytes)))
        (local.set $d0 (v128.load (i32.add (global.get $dh) (local.get $j))))
        (local.set $k (i32.const 0))
        (block $done
          (loop $pixels
            (br_if $done (i32.ge_u (local.get $k) (local.get $n)))
            (local.set $at (i32.add (i32.load (i32.add (global.get $rows) (local.get $k)))
                                    (local.get $j)))
            (v128.store (local.get $at)
                        (f32x4.add (v128.load (local.get $at))
                                   (f32x4.mul (v128.load32_splat (i32.add (global.get $values)
                                                                          (local.get $k)))
                                              (local.get $d0))))
            (local.set $k (i32.add (local.get $k) (i32.const 4)))
            (br $pixels)))
        (local.set $j (i32.add (local.get $j) (i32.const 16)))
        (br $nodes)))
    ;; b1 += alpha dh
    (local.set $step (f32x4.splat (local.get $alpha)))
    (local.set $j (i32.const 0))
    (loop $terms
      (local.set $at (i32.add (global.get $b1) (local.get $j)))
      (v128.store (local.get $at)
                  (f32x4.add (v128.load (local.get $at))
                             (f32x4.mul (local.get $step)
                                        (v128.load (i32.add (global.get $dh) (local.get $j))))))
      (br_if $terms (i32.lt_u (local.tee $j (i32.add (local.get $j) (i32.const 16)))
                              (global.get $row_bytes)))))

  ;; `count` training steps on the images (784 bytes each) at `images` with their labels
  ;; (one byte each) at `labels`; lr is -10 alpha. The outputs before step `first`'s update,
  ;; and every `every` steps after it, are copied to `record` (10 floats each), for the
  ;; caller to turn into the loss (WebAssembly has no log).
  (func (export "train") (param $images i32) (param $labels i32) (param $count i32)
                         (param $alpha f32) (param $first i32) (param $every i32)
                         (param $record i32)
    (local $i i32)
    (local $n i32)
    (local $to i32)
    (block $end
      (loop $steps
        (br_if $end (i32.ge_u (local.get $i) (local.get $count)))
        (local.set $n (call $gather (i32.add (local.get $images) (i32.mul (local.get $i) (i32.const 784)))))
        (call $forward (local.get $n))
        (if (i32.and (i32.ge_s (local.get $i) (local.get $first))
                     (i32.eqz (i32.rem_s (i32.sub (local.get $i) (local.get $first))
                                         (local.get $every))))
          (then
            (local.set $to (i32.add (local.get $record)
                                    (i32.mul (i32.div_s (i32.sub (local.get $i) (local.get $first))
                                                        (local.get $every))
                                             (i32.const 40))))
            (memory.copy (local.get $to) (global.get $y) (i32.const 40))))
        (call $backward (local.get $n)
                        (i32.load8_u (i32.add (local.get $labels) (local.get $i)))
                        (local.get $alpha))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $steps))))

  ;; The outputs for one 784-byte image, left at outputs_at().
  (func (export "predict") (param $image i32)
    (call $forward (call $gather (local.get $image))))

  ;; The network's answer for one 784-byte image: its first largest output, as
  ;; torch.argmax and the tutorial's scoring loop take it.
  (func $answer (param $image i32) (result i32)
    (local $o i32)
    (local $best i32)
    (local $value f32)
    (local $top f32)
    (call $forward (call $gather (local.get $image)))
    (local.set $top (f32.load (global.get $y)))
    (local.set $o (i32.const 1))
    (loop $outputs
      (local.set $value (f32.load (i32.add (global.get $y) (i32.shl (local.get $o) (i32.const 2)))))
      (if (f32.gt (local.get $value) (local.get $top))
        (then (local.set $top (local.get $value)) (local.set $best (local.get $o))))
      (br_if $outputs (i32.lt_u (local.tee $o (i32.add (local.get $o) (i32.const 1)))
                                (i32.const 10))))
    (local.get $best))

  ;; The answers for `count` images, one byte each, written to `answers` (for the page's
  ;; confusion matrix and its list of the images the network gets wrong).
  (func (export "classify") (param $images i32) (param $count i32) (param $answers i32)
    (local $i i32)
    (block $end
      (loop $images
        (br_if $end (i32.ge_u (local.get $i) (local.get $count)))
        (i32.store8 (i32.add (local.get $answers) (local.get $i))
                    (call $answer (i32.add (local.get $images)
                                           (i32.mul (local.get $i) (i32.const 784)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $images))))

  ;; How many of `count` images the network gets right.
  (func (export "evaluate") (param $images i32) (param $labels i32) (param $count i32)
                            (result i32)
    (local $i i32)
    (local $right i32)
    (block $end
      (loop $images
        (br_if $end (i32.ge_u (local.get $i) (local.get $count)))
        (local.set $right
          (i32.add (local.get $right)
                   (i32.eq (call $answer (i32.add (local.get $images)
                                                  (i32.mul (local.get $i) (i32.const 784))))
                           (i32.load8_u (i32.add (local.get $labels) (local.get $i))))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $images)))
    (local.get $right)))
