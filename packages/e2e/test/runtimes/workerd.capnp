# workerd config for the runtime smoke test. The test copies it next to the esbuild bundle of
# worker.mjs (worker.bundle.js) and passes the socket with --socket-addr http=unix:PATH.
using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [
    (name = "smoke", worker = .smokeWorker),
    # The worker's fetch() may reach loopback addresses only (the simulator on 127.0.0.1).
    (name = "loopback", network = (allow = ["local"])),
  ],
  sockets = [(name = "http", http = (), service = (name = "smoke", entrypoint = "smoke"))],
);

# No compatibility flags: in particular no nodejs_compat, since core uses web APIs only.
const smokeWorker :Workerd.Worker = (
  modules = [(name = "worker.js", esModule = embed "worker.bundle.js")],
  compatibilityDate = "2025-09-01",
  globalOutbound = "loopback",
);
