#!/usr/bin/env bash
# The action image end to end, on a machine that can pull nothing: make the Dockerfile's base
# image locally (Debian bookworm from the apt mirror, plus this host's Rust 1.95 toolchain),
# build the unmodified Dockerfile with podman, and run tests/container_contract.rs with the
# binary inside that image. Manual (not part of .ci/run); run it as root from anywhere in the
# clone. Needs: apt-get install -y podman buildah debootstrap runc.
#
# The base is cached in $RELEASEKIT_PODMAN_CACHE (default ~/.cache/releasekit-cargo/podman);
# delete the image (`podman rmi docker.io/library/rust:1.95-slim-bookworm`) to remake it.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cache=${RELEASEKIT_PODMAN_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/releasekit-cargo/podman}
base=docker.io/library/rust:1.95-slim-bookworm
image=releasekit-cargo:local
toolchain=1.95.0-x86_64-unknown-linux-gnu
rustup_home=${RUSTUP_HOME:-$HOME/.rustup}
cargo_home=${CARGO_HOME:-$HOME/.cargo}

step() { printf '\n== %s\n' "$*"; }
die() { printf 'podman-e2e: %s\n' "$*" >&2; exit 1; }

for tool in podman debootstrap runc; do
    command -v "$tool" >/dev/null || die "$tool is missing: apt-get install -y podman buildah debootstrap runc"
done
[ "$(id -u)" = 0 ] || die "run as root: debootstrap and the test's chown need it"
mkdir -p "$cache"

# Without these, `podman run` and the Dockerfile's RUN steps fail on these machines (setrlimit,
# cgroups); the host network lets the build reach crates.io and the test reach its servers.
cat >"$cache/containers.conf" <<'EOF'
[containers]
default_ulimits = ["nofile=1024:1024", "nproc=1024:1024"]
netns = "host"

[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
EOF
export CONTAINERS_CONF="$cache/containers.conf"

# The Debian mirror apt uses here (deb822 `URIs:` or one-line `deb` form), security excluded.
mirror() {
    local uri
    uri=$(cat /etc/apt/sources.list.d/*.sources 2>/dev/null \
        | awk '/^URIs:/ && $2 !~ /security/ { print $2; exit }')
    if [ -z "$uri" ]; then
        uri=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null \
            | awk '$1 == "deb" && $2 !~ /^\[/ && $2 !~ /security/ { print $2; exit }')
    fi
    printf '%s\n' "${uri:-http://deb.debian.org/debian}"
}

step "1/3 base image $base"
if podman image exists "$base"; then
    echo "cached"
else
    rootfs=$cache/rootfs
    if [ ! -f "$cache/rootfs.done" ]; then
        rm -rf "$rootfs"
        # What rust:*-slim adds to Debian: a C toolchain for linking and build scripts, and CA
        # certificates for crates.io.
        debootstrap --variant=minbase --include=ca-certificates,gcc,libc6-dev \
            bookworm "$rootfs" "$(mirror)"
        rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/archives/*.deb
        touch "$cache/rootfs.done"
    fi
    # The rust image's layout: rustup and its proxies in /usr/local/cargo/bin, the toolchain in
    # /usr/local/rustup; the host's rustup binary works there (same Debian release). Docs stay
    # out (0.8 GB).
    tree=$cache/base-tree
    rm -rf "$tree"
    mkdir -p "$tree/usr/local/cargo/bin" "$tree/usr/local/rustup/toolchains/$toolchain"
    [ -d "$rustup_home/toolchains/$toolchain/" ] || die "no $toolchain in $rustup_home (rustup toolchain install 1.95.0)"
    tar -C "$rustup_home/toolchains/$toolchain/" --exclude=./share/doc -chf - . \
        | tar -C "$tree/usr/local/rustup/toolchains/$toolchain" -xf -
    printf 'version = "12"\ndefault_toolchain = "%s"\nprofile = "minimal"\n' "$toolchain" \
        >"$tree/usr/local/rustup/settings.toml"
    cp "$cargo_home/bin/rustup" "$tree/usr/local/cargo/bin/rustup"
    for proxy in cargo rustc rustdoc rust-gdb rust-lldb cargo-clippy clippy-driver cargo-fmt rustfmt; do
        ln -sf rustup "$tree/usr/local/cargo/bin/$proxy"
    done
    tar -C "$rootfs" -cf - . | tar -C "$tree" -xf -
    # A machine behind a TLS-intercepting proxy trusts its CA locally; the build stage fetches
    # crates.io through it, so the base trusts what this host trusts.
    if compgen -G '/usr/local/share/ca-certificates/*.crt' >/dev/null; then
        cp /usr/local/share/ca-certificates/*.crt "$tree/usr/local/share/ca-certificates/"
        chroot "$tree" update-ca-certificates >/dev/null
    fi
    tar -C "$tree" -cf - . | podman import \
        --change 'ENV RUSTUP_HOME=/usr/local/rustup' \
        --change 'ENV CARGO_HOME=/usr/local/cargo' \
        --change 'ENV PATH=/usr/local/cargo/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
        --change 'ENV RUST_VERSION=1.95.0' \
        --change 'CMD ["bash"]' \
        - "$base"
    rm -rf "$tree"
    podman run --rm "$base" cargo --version
fi

step "2/3 podman build $image"
podman build --pull=never --network host -t "$image" "$repo"

step "3/3 cargo test --test container_contract in $image"
cd "$repo"
RELEASEKIT_TEST_IMAGE=$image cargo test --test container_contract -- --nocapture
