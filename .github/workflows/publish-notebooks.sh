#!/bin/sh
# Push the built site's notebooks to a branch of this repository, where Colab opens them:
# https://colab.research.google.com/github/OWNER/REPO/blob/BRANCH/<section>/<name>.ipynb
# (docs/_ext/colab.py makes those links). The branch holds one commit, replaced on each
# run, with the folder's files at its root; the checkout's own index and files are left
# as they are.
#
# Usage, from the repository's checkout: publish-notebooks.sh FOLDER BRANCH [REMOTE]
set -eu
folder=$1
branch=$2
remote=${3:-origin}
if ! ls "$folder"/*/*.ipynb >/dev/null 2>&1; then
    echo "publish-notebooks: no notebooks in $folder/<section>/ (build the site first)" >&2
    exit 1
fi
gitdir=$(git rev-parse --absolute-git-dir)
GIT_INDEX_FILE=$(mktemp -u)  # an index of its own, so the checkout's stays as it is
export GIT_INDEX_FILE
(cd "$folder" && git --git-dir="$gitdir" --work-tree=. add --all --force .)
tree=$(git write-tree)
rm -f "$GIT_INDEX_FILE"
commit=$(
    git -c user.name="github-actions[bot]" \
        -c user.email="41898282+github-actions[bot]@users.noreply.github.com" \
        commit-tree "$tree" -m "Notebooks built from $(git rev-parse HEAD)"
)
git push --force --quiet "$remote" "$commit:refs/heads/$branch"
echo "publish-notebooks: $folder is now $remote's branch $branch ($commit)"
