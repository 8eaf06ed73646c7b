# The releasekit-cargo action image: the binary, and what publishing drives — cargo and rustc
# (with rustup, which installs the toolchain a workspace pins), a C toolchain for build scripts
# and linking, git, CA certificates — and cargo-semver-checks. Built in stages, so no compiler
# cache, registry download or build tool reaches the image; the runtime is Debian slim plus
# exactly those. Released images are prebuilt (ghcr.io/<owner>/releasekit-cargo:vX.Y.Z, by
# .github/workflows/image.yml); `image: Dockerfile` on main builds this for development.

# --- the binary ------------------------------------------------------------------------------
FROM rust:1.95-slim-bookworm AS build
WORKDIR /src
# No symbols in what ships (a third of the binary).
ENV CARGO_PROFILE_RELEASE_STRIP=symbols

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

# rustup's proxies, as links (the rust image has them as hard links, which COPY would turn into
# copies of rustup): the runtime takes this directory as it is.
RUN mkdir -p /opt/cargo-bin \
    && cp /usr/local/cargo/bin/rustup /opt/cargo-bin/ \
    && for proxy in cargo rustc rustdoc; do ln -s rustup "/opt/cargo-bin/$proxy"; done

# --- cargo-semver-checks (the API check against the last release) ---------------------------
FROM rust:1.95-slim-bookworm AS semver-checks
ENV CARGO_PROFILE_RELEASE_STRIP=symbols
RUN cargo install --locked --root /opt/semver-checks cargo-semver-checks --version 0.51.0

# --- runtime ---------------------------------------------------------------------------------
FROM debian:bookworm-slim

# The rust image's toolchain layout, without its CARGO_HOME: the binary gives cargo
# $HOME/.cargo, which in a Docker action is /github/home/.cargo (kept for the job, and where a
# cache step on the runner finds it).
ENV RUSTUP_HOME=/usr/local/rustup \
    PATH=/usr/local/cargo/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

# gcc and libc6-dev link what cargo builds and compile the C of build scripts; git reads the
# history and pushes the release branch. The versions come with the pinned base image's Debian
# release; pinning exact Debian package versions would break the build whenever a bookworm point
# release supersedes them.
# The runner mounts the checkout at /github/workspace, owned by the runner's user, not by root
# in this container; git refuses such a repository unless it is declared safe. The `workspace`
# input may name a subdirectory, which git resolves to the same top level, so this one entry
# suffices; `*` would switch the protection off for every repository.
# Of gcc's packages, what publishing never uses stays out (dpkg skips the files): the runtimes of
# the sanitizers (only for -fsanitize builds) and the LTO dump tool (a diagnostic, not the
# compiler), some 60 MB.
# hadolint ignore=DL3008
RUN printf '%s\n' \
        'path-exclude /usr/lib/x86_64-linux-gnu/lib*san.so*' \
        'path-exclude /usr/lib/gcc/*/*/lib*san*' \
        'path-exclude /usr/bin/*lto-dump*' \
        >/etc/dpkg/dpkg.cfg.d/releasekit-excludes \
    && apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates gcc libc6-dev git \
    && rm -rf /var/lib/apt/lists/* /var/cache/apt/* /var/log/apt /var/log/dpkg.log \
    && git config --system --add safe.directory /github/workspace

# The image's stable toolchain (minimal profile) and rustup, which installs any other.
COPY --from=build /usr/local/rustup /usr/local/rustup
COPY --from=build /opt/cargo-bin /usr/local/cargo/bin
COPY --from=semver-checks /opt/semver-checks/bin/cargo-semver-checks /usr/local/bin/
COPY --from=build /src/target/release/releasekit-cargo /usr/local/bin/releasekit-cargo

# No USER: GitHub runs Docker actions as root (the default) so that files written into the
# mounted workspace and GITHUB_OUTPUT stay writable; no args: the binary reads INPUT_* itself.
ENTRYPOINT ["/usr/local/bin/releasekit-cargo"]
