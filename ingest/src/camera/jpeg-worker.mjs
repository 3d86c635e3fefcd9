// JPEG encoding of evidence images on its own thread: jpeg-js is pure JavaScript and takes a few hundred
// milliseconds per full frame, which on the main thread would stall every camera's frame reading and the API.
// Plain JavaScript on purpose: it runs in a bare worker thread without the TypeScript loader.
import { parentPort } from 'node:worker_threads';
import jpeg from 'jpeg-js';

parentPort.on('message', ({ id, rgb, widthPixels, heightPixels, quality }) => {
  try {
    const pixels = widthPixels * heightPixels;
    // jpeg-js wants RGBA.
    const rgba = Buffer.alloc(pixels * 4);
    for (let pixel = 0, source = 0, target = 0; pixel < pixels; pixel += 1, source += 3, target += 4) {
      rgba[target] = rgb[source];
      rgba[target + 1] = rgb[source + 1];
      rgba[target + 2] = rgb[source + 2];
      rgba[target + 3] = 255;
    }
    const encoded = jpeg.encode({ data: rgba, width: widthPixels, height: heightPixels }, quality).data;
    parentPort.postMessage({ id, jpeg: new Uint8Array(encoded.buffer, encoded.byteOffset, encoded.byteLength) });
  } catch (error) {
    parentPort.postMessage({ id, message: error instanceof Error ? error.message : String(error) });
  }
});
