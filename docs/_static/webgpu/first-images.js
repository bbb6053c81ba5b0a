// The first images (or labels) of a gzip'd MNIST IDX file, read as they stream in: the
// download stops once there are enough, so 1,000 images cost about a tenth of the file.
// Loaded by graph-worker.js (importScripts) and by a page (a script tag): it defines
// self.mnistFirstImages.
"use strict";

(function (scope) {
  const IMAGES = 0x803; // IDX magic numbers: unsigned bytes, 3 dimensions or 1
  const LABELS = 0x801;

  // The first `count` items of the file at `url`: a Uint8Array of count x 784 pixels
  // for images, count bytes for labels.
  async function firstItems(url, count) {
    const response = await fetch(url);
    if (!response.ok) throw new Error(`${url}: ${response.status} ${response.statusText}`);
    const reader = response.body.pipeThrough(new DecompressionStream("gzip")).getReader();
    const chunks = [];
    let have = 0;
    let start = null; // where the items begin, once the header is in
    let need = 8; // bytes: the magic number and the first size, then the header and items
    while (have < need) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      have += value.length;
      if (start === null && have >= 8) {
        const view = new DataView(join(chunks, have).buffer);
        const magic = view.getUint32(0);
        if (magic !== IMAGES && magic !== LABELS) throw new Error(`${url} is not an MNIST IDX file`);
        if (view.getUint32(4) < count) throw new Error(`${url} has fewer than ${count} items`);
        start = 4 + 4 * (magic & 0xff); // 4 bytes of magic, then 4 for each dimension
        need = start + count * (magic === IMAGES ? 784 : 1);
      }
    }
    await reader.cancel(); // the rest is not needed
    if (have < need) throw new Error(`${url} ended early`);
    return join(chunks, have).slice(start, need);
  }

  function join(chunks, length) {
    const all = new Uint8Array(length);
    let at = 0;
    for (const chunk of chunks) {
      all.set(chunk, at);
      at += chunk.length;
    }
    return all;
  }

  scope.mnistFirstImages = { firstItems };
})(typeof self === "object" ? self : globalThis);
