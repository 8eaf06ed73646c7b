# The releasekit-cargo action image: the binary, plus cargo and git, which it drives.

# --- build -------------------------------------------------------------------------------
FROM rust:1.95-slim-bookworm AS build
WORKDIR /src

# Dependencies first, against stub sources, so this layer stays cached until Cargo.lock moves.
# The bench stub is there because Cargo.toml declares `[[bench]] publish` (benches/ is not in
# the build context), and cargo refuses a manifest whose declared target has no file.
COPY Cargo.toml Cargo.lock ./
RUN mkdir -p src benches \
    && echo 'fn main() {}' > src/main.rs \
    && touch src/lib.rs \
    && echo 'fn main() {}' > benches/publish.rs \
    && cargo build --release --locked --bin releasekit-cargo \
    && rm -rf src

COPY src/ src/
# COPY keeps the files' old mtimes, older than the stubs' build: without the touch cargo would
# call the stub build fresh and ship an empty binary.
RUN touch src/main.rs src/lib.rs \
    && cargo build --release --locked --bin releasekit-cargo

# --- runtime -----------------------------------------------------------------------------
# The full Rust toolchain, not a bare Debian: publish runs `cargo metadata`, `cargo package`
# and `cargo publish`, and rustup honours a `rust-toolchain.toml` in the user's workspace.
FROM rust:1.95-slim-bookworm

# The versions come with the pinned base image's Debian release; pinning exact Debian package
# versions would break the build whenever a bookworm point release supersedes them.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends git ca-certificates \
    && rm -rf /var/lib/apt/lists/*

# The runner mounts the checkout at /github/workspace, owned by the runner's user, not by root
# in this container; git refuses such a repository unless it is declared safe. The `workspace`
# input may name a subdirectory, which git resolves to the same top level, so this one entry
# suffices; `*` would switch the protection off for every repository.
RUN git config --system --add safe.directory /github/workspace

COPY --from=build /src/target/release/releasekit-cargo /usr/local/bin/releasekit-cargo

# No USER: GitHub runs Docker actions as root (the default) so that files written into the
# mounted workspace and GITHUB_OUTPUT stay writable; no args: the binary reads INPUT_* itself.
ENTRYPOINT ["/usr/local/bin/releasekit-cargo"]
