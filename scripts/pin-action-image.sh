#!/usr/bin/env bash
# Point action.yml at the prebuilt image of a release. On main the action builds its image from
# the Dockerfile (`image: Dockerfile`, for development); the commit that a release's `vX.Y.Z`
# and `vX` tags point at says `image: docker://ghcr.io/<owner>/releasekit-cargo:vX.Y.Z` instead,
# so `uses: <owner>/releasekit-cargo@vX` pulls an image in seconds rather than compiling one.
# .github/workflows/image.yml runs this after pushing that image. Nothing else in the file
# changes; tests/action_contract.rs checks the result against the action contract.
#
#   scripts/pin-action-image.sh VERSION OWNER [FILE]
#
# VERSION is the released version (1.4.0, 1.4.0-rc.1; a leading v is dropped), OWNER the GitHub
# owner of the image (lower-cased, as ghcr.io requires), FILE the action.yml to rewrite (default:
# the one of this clone). Exit 2 on a bad argument or a file that does not build from the
# Dockerfile (already pinned, say); the file is then left as it was.
set -euo pipefail

die() { printf 'pin-action-image: %s\n' "$*" >&2; exit 2; }

[ $# -ge 2 ] && [ $# -le 3 ] || die "usage: $0 VERSION OWNER [FILE]"
version=${1#v}
owner=$2
file=${3:-$(dirname "${BASH_SOURCE[0]}")/../action.yml}

# Semantic versioning without build metadata (a `+` is not allowed in an image tag): numbers
# and numeric prerelease identifiers without leading zeros (SemVer 2.0.0 items 2 and 9).
number='(0|[1-9][0-9]*)'
identifier='(0|[1-9][0-9]*|[0-9]*[A-Za-z-][0-9A-Za-z-]*)'
semver="^$number\\.$number\\.$number(-$identifier(\\.$identifier)*)?\$"
[[ $version =~ $semver ]] || die "invalid version \"$1\": expected a release version such as 1.4.0 or 1.4.0-rc.1"
# The image tag `v<version>`: Docker allows at most 128 characters.
[ $((${#version} + 1)) -le 128 ] \
    || die "invalid version \"$1\": the image tag v<version> would be $((${#version} + 1)) characters long, Docker allows 128"
# GitHub user and organisation names: letters, digits and single hyphens, neither first nor last,
# at most 39.
[[ $owner =~ ^[A-Za-z0-9]([A-Za-z0-9-]{0,37}[A-Za-z0-9])?$ && $owner != *--* ]] \
    || die "invalid owner \"$owner\": expected a GitHub user or organisation name"
[ -f "$file" ] || die "$file does not exist"

line='  image: Dockerfile'
count=$(grep -cx -- "$line" "$file" || true)
[ "$count" = 1 ] || die "$file: expected exactly one line \`$line\` (under runs:), found $count"

image="docker://ghcr.io/${owner,,}/releasekit-cargo:v$version"
pinned=$(awk -v line="$line" -v image="  image: $image" \
    '$0 == line { print image; next } { print }' "$file")
# Written in place, so the file keeps its mode.
printf '%s\n' "$pinned" >"$file"
printf '%s: image: %s\n' "$file" "$image"
