"""gomapfix's git side: verified review branches and batch pull requests.

Everything here works on a temporary `git worktree` checked out at the base
commit; the user's working tree, index, HEAD and stashes are never touched.
The modules, one job each:

  - gitutil: opening the repository, running git with gomapfix's settings;
  - worktree: the temporary worktree, always removed (also after errors and Ctrl-C);
  - verify: gofmt/build/vet/test of each touched package before and after;
  - prepare: running the engine per transform in a worktree, committing, verifying;
  - branch: gomapfix's commits (trailers), branch refs, pushes with a lease;
  - codeowners: GitHub CODEOWNERS matching;
  - batch: modules, units (module, owner, transform), shards, the batch run;
  - journal: the JSON Lines journal that makes a batch run resumable;
  - prs: pull-request titles, bodies, manifests and the `gh` command;
  - cli: argument parsing for `gomapfix branch`, `gomapfix batch` and `gomapfix batch status`.
"""
