#!/usr/bin/env bash
# The action image end to end, on a machine that can pull nothing: make the Dockerfile's base
# images locally (Debian bookworm from the apt mirror; for the rust image, plus this host's Rust
# 1.95 toolchain with the components of rustup's minimal profile, as the official image has),
# build the unmodified Dockerfile with podman, measure the image (size; seconds from
# `podman run` to the first line of `plan`), and run tests/container_contract.rs with the binary
# inside it. Manual (not part of .ci/run); run it as root from anywhere in the clone. Needs:
# apt-get install -y podman buildah debootstrap runc.
#
#   scripts/podman-e2e.sh            build, measure, contract test
#   scripts/podman-e2e.sh --no-test  build and measure only
#
# The bases are cached in $RELEASEKIT_PODMAN_CACHE (default ~/.cache/releasekit-cargo/podman);
# delete an image (`podman rmi docker.io/library/rust:1.95-slim-bookworm`) to remake it.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cache=${RELEASEKIT_PODMAN_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/releasekit-cargo/podman}
debian=docker.io/library/debian:bookworm-slim
rust=docker.io/library/rust:1.95-slim-bookworm
image=releasekit-cargo:local
toolchain=1.95.0-x86_64-unknown-linux-gnu
rustup_home=${RUSTUP_HOME:-$HOME/.rustup}
cargo_home=${CARGO_HOME:-$HOME/.cargo}
contract_test=1
case "${1:-}" in
    "") ;;
    --no-test) contract_test=0 ;;
    *) printf 'usage: %s [--no-test]\n' "$0" >&2; exit 2 ;;
esac

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

# A minbase Debian root in $cache/$1, with the packages $2 (comma-separated) on top, made like
# the official -slim images (debuerreotype --slimify): no documentation, manual pages or
# translations, now or from later installs, and apt keeps no package caches.
rootfs() {
    local dir=$cache/$1 include=$2
    if [ ! -f "$dir.done" ]; then
        rm -rf "$dir"
        debootstrap --variant=minbase ${include:+--include="$include"} bookworm "$dir" "$(mirror)"
        cat >"$dir/etc/dpkg/dpkg.cfg.d/docker" <<'EOF'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/groff/*
path-exclude /usr/share/info/*
path-exclude /usr/share/linda/*
path-exclude /usr/share/lintian/overrides/*
path-exclude /usr/share/locale/*
path-exclude /usr/share/man/*
EOF
        cat >"$dir/etc/apt/apt.conf.d/docker-clean" <<'EOF'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
EOF
        printf 'Acquire::GzipIndexes "true";\n' >"$dir/etc/apt/apt.conf.d/docker-gzip-indexes"
        printf 'Acquire::Languages "none";\n' >"$dir/etc/apt/apt.conf.d/docker-no-languages"
        printf 'Apt::AutoRemove::SuggestsImportant "false";\n' \
            >"$dir/etc/apt/apt.conf.d/docker-autoremove-suggests"
        find "$dir/usr/share/doc" -mindepth 1 -not -name copyright -not -type d -delete
        find "$dir/usr/share/doc" -mindepth 1 -type d -empty -delete
        rm -rf "$dir"/usr/share/{groff,info,linda,lintian/overrides,locale,man}/*
        rm -rf "$dir"/var/lib/apt/lists/* "$dir"/var/cache/apt/archives/*.deb "$dir"/var/cache/apt/*.bin
        # A machine behind a TLS-intercepting proxy trusts its CA locally; the builds fetch
        # crates.io through it, so the bases trust what this host trusts.
        if [ -d "$dir/usr/share/ca-certificates" ] \
            && compgen -G '/usr/local/share/ca-certificates/*.crt' >/dev/null; then
            cp /usr/local/share/ca-certificates/*.crt "$dir/usr/local/share/ca-certificates/"
            chroot "$dir" update-ca-certificates >/dev/null
        fi
        touch "$dir.done"
    fi
}

step "1/4 base images $debian, $rust"
if podman image exists "$debian"; then
    echo "$debian: cached"
else
    rootfs debian-rootfs ""
    tar -C "$cache/debian-rootfs" -cf - . | podman import --change 'CMD ["bash"]' - "$debian"
fi
if podman image exists "$rust"; then
    echo "$rust: cached"
else
    # What rust:*-slim adds to Debian: a C toolchain for linking and build scripts, and CA
    # certificates for crates.io.
    rootfs rust-rootfs ca-certificates,gcc,libc6-dev
    # The rust image's layout: rustup and its proxies in /usr/local/cargo/bin, the toolchain in
    # /usr/local/rustup, with only the minimal profile's components (rustup lists each
    # component's files), as rustup-init --profile minimal leaves it; the host's rustup binary
    # works there (same Debian release).
    src=$rustup_home/toolchains/$toolchain
    [ -d "$src/" ] || die "no $toolchain in $rustup_home (rustup toolchain install 1.95.0)"
    tree=$cache/base-tree
    rm -rf "$tree"
    dest=$tree/usr/local/rustup/toolchains/$toolchain
    mkdir -p "$tree/usr/local/cargo/bin" "$dest/lib/rustlib"
    minimal=(rustc cargo rust-std)
    for component in "${minimal[@]}"; do
        manifest=lib/rustlib/manifest-$component-x86_64-unknown-linux-gnu
        [ -f "$src/$manifest" ] || die "$toolchain has no $component component"
        sed -n 's/^file://p' "$src/$manifest" >>"$cache/files"
        echo "$manifest" >>"$cache/files"
    done
    for meta in multirust-channel-manifest.toml multirust-config.toml rust-installer-version; do
        [ -f "$src/lib/rustlib/$meta" ] && echo "lib/rustlib/$meta" >>"$cache/files"
    done
    tar -C "$src/" -chf - -T "$cache/files" | tar -C "$dest" -xf -
    rm -f "$cache/files"
    printf '%s-x86_64-unknown-linux-gnu\n' "${minimal[@]}" >"$dest/lib/rustlib/components"
    printf 'version = "12"\ndefault_toolchain = "%s"\nprofile = "minimal"\n' "$toolchain" \
        >"$tree/usr/local/rustup/settings.toml"
    cp "$cargo_home/bin/rustup" "$tree/usr/local/cargo/bin/rustup"
    for proxy in cargo rustc rustdoc rust-gdb rust-lldb cargo-clippy clippy-driver cargo-fmt rustfmt; do
        ln -sf rustup "$tree/usr/local/cargo/bin/$proxy"
    done
    tar -C "$cache/rust-rootfs" -cf - . | tar -C "$tree" -xf -
    tar -C "$tree" -cf - . | podman import \
        --change 'ENV RUSTUP_HOME=/usr/local/rustup' \
        --change 'ENV CARGO_HOME=/usr/local/cargo' \
        --change 'ENV PATH=/usr/local/cargo/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
        --change 'ENV RUST_VERSION=1.95.0' \
        --change 'CMD ["bash"]' \
        - "$rust"
    rm -rf "$tree"
    podman run --rm "$rust" cargo --version
fi

step "2/4 podman build $image"
build_start=$(date +%s)
podman build --pull=never --network host -t "$image" "$repo"
build_seconds=$(($(date +%s) - build_start))

step "3/4 measure $image"
# A small workspace with some history, where a Docker action sees it.
fixture=$(mktemp -d)
trap 'rm -rf "$fixture"' EXIT
(
    cd "$fixture"
    git init -q -b main
    git config user.email dev@example.com
    git config user.name Dev
    printf '[workspace]\nmembers = ["crates/*"]\nresolver = "2"\n' >Cargo.toml
    for name in alpha beta; do
        mkdir -p "crates/$name/src"
        printf '[package]\nname = "%s"\nversion = "0.1.0"\nedition = "2021"\nlicense = "MIT"\ndescription = "%s"\n' \
            "$name" "$name" >"crates/$name/Cargo.toml"
        echo "//! $name" >"crates/$name/src/lib.rs"
    done
    git add -A && git commit -q -m "feat: first version"
    for n in $(seq 1 20); do
        echo "// change $n" >>crates/alpha/src/lib.rs
        git commit -q -am "fix(alpha): change $n"
    done
)
# Seconds from `podman run` to the first line `plan --json` prints (the plan is complete then).
first_line() {
    local start
    start=$(date +%s.%N)
    podman run --rm -v "$fixture:/github/workspace" -w /github/workspace "$image" plan --json \
        | { IFS= read -r _ && date +%s.%N; cat >/dev/null; } \
        | awk -v start="$start" '{ printf "%.2f\n", $1 - start }'
}
runs=()
for _ in 1 2 3; do
    runs+=("$(first_line)")
done
size=$(podman image inspect --format '{{.Size}}' "$image")
printf 'image size: %s MB\n' "$((size / 1000000))"
printf 'build (podman build, layers cached as they were): %s s\n' "$build_seconds"
printf 'podman run to the first line of plan: %s s (runs: %s)\n' \
    "$(printf '%s\n' "${runs[@]}" | sort -n | sed -n 2p)" "${runs[*]}"

if [ "$contract_test" = 1 ]; then
    step "4/4 cargo test --test container_contract in $image"
    cd "$repo"
    RELEASEKIT_TEST_IMAGE=$image cargo test --test container_contract -- --nocapture
else
    step "4/4 contract test skipped (--no-test)"
fi
