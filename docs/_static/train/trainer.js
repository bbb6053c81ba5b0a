// The "Train it yourself" page's side of its training worker (train-worker.js): a
// command is a promise of its answer, and what the worker reports while it works goes to
// the page's handlers, one per type of report.
"use strict";

(function () {
  function connect(url, handlers) {
    const worker = new Worker(url);
    const waiting = new Map(); // command id -> resolve
    let made = 0;

    worker.onmessage = (event) => {
      const message = event.data;
      if (message.id !== undefined && waiting.has(message.id)) {
        waiting.get(message.id)(message);
        waiting.delete(message.id);
      } else if (handlers[message.type]) {
        handlers[message.type](message);
      }
    };
    // A worker that fails to load or crashes answers every command with an error, so
    // nothing waits for ever.
    worker.onerror = (event) => {
      event.preventDefault();
      const message = { type: "error", message: event.message || "the training worker failed" };
      for (const resolve of waiting.values()) resolve(message);
      waiting.clear();
      if (handlers.error) handlers.error(message);
    };

    // Send a command; resolves with its answer (an {type: "error"} answer included).
    function ask(command) {
      const id = ++made;
      return new Promise((resolve) => {
        waiting.set(id, resolve);
        worker.postMessage({ ...command, id });
      });
    }

    // Send a message that has no answer ("stop", "speed").
    const tell = (message) => worker.postMessage(message);

    return { ask, tell };
  }

  window.mnistTrainer = { connect };
})();
