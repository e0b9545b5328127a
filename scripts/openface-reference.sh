#!/bin/sh
# Makes the OpenFace CLNF reference files that testdata/manifest.tsv lists
# without a download URL (reference/openface-2.2-clnf/*): OpenFace 2.2's
# FeatureExtraction with its CLNF landmark model on the sample videos
# default.wmv and changeLighting.wmv, writing what those files hold (2-D
# landmarks, head pose, PDM parameters and AUs; no gaze, no 3-D landmarks),
# then compares each file with the sha256 the manifest expects.
#
# usage: scripts/openface-reference.sh OPENFACE_DIR [DEST]
#   OPENFACE_DIR  a built OpenFace 2.2 source tree: FeatureExtraction in
#                 build/bin/ or bin/, the sample videos in samples/
#   DEST          the folder that receives reference/openface-2.2-clnf/
#                 (default: testdata, which `make testdata` then checks)
set -eu

if [ $# -lt 1 ] || [ $# -gt 2 ]; then
	echo "usage: $0 OPENFACE_DIR [DEST]" >&2
	exit 2
fi
openface=$(cd "$1" && pwd)
repo=$(cd "$(dirname "$0")/.." && pwd)
dest=${2:-$repo/testdata}
out=$dest/reference/openface-2.2-clnf

exe=
for candidate in "$openface/build/bin/FeatureExtraction" "$openface/bin/FeatureExtraction"; do
	if [ -x "$candidate" ]; then exe=$candidate; break; fi
done
if [ -z "$exe" ]; then
	echo "no FeatureExtraction in $openface/build/bin or $openface/bin; build OpenFace 2.2 first" >&2
	exit 1
fi

sha256() {
	if command -v sha256sum >/dev/null; then sha256sum "$1"; else shasum -a 256 "$1"; fi | cut -d' ' -f1
}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$out"
for name in default changeLighting; do
	video=$openface/samples/$name.wmv
	if [ ! -f "$video" ]; then
		echo "$video is missing; OpenFace's samples/ folder holds it" >&2
		exit 1
	fi
	# Run beside the video and name it bare, as the references record it
	# ("Input:default.wmv"). FeatureExtraction looks for -mloc beside itself
	# when the path is not found from the working folder.
	(cd "$(dirname "$video")" && "$exe" -f "$name.wmv" -out_dir "$work" \
		-mloc model/main_clnf_general.txt -2Dfp -pose -pdmparams -aus >"$work/$name.log" 2>&1) || {
		echo "FeatureExtraction failed on $video:" >&2
		cat "$work/$name.log" >&2
		exit 1
	}
	cp "$work/$name.csv" "$work/${name}_of_details.txt" "$out/"
done

grep '^reference/openface-2.2-clnf/' "$repo/testdata/manifest.tsv" | {
	differ=0
	while IFS='	' read -r path want _; do
		got=$(sha256 "$dest/$path")
		if [ "$got" = "$want" ]; then
			echo "✓ $dest/$path"
		else
			echo "✗ $dest/$path: sha256 $got, the manifest expects $want (another OpenFace version or build)"
			differ=1
		fi
	done
	exit $differ
}
