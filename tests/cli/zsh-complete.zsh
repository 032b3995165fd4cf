#!/usr/bin/env zsh
# SPDX-License-Identifier: GPL-2.0-or-later
# zsh-complete.zsh DIR LINE: what zsh's completion offers at the end of the
# command line LINE, one candidate a line, with DIR (holding _ccnc) first
# in fpath.  An interactive zsh in a pseudo-terminal (zsh/zpty) gets the
# line and a TAB; a compadd wrapper prints each candidate after a \x01.
# Exit 77 when zsh has no zpty module.
emulate -L zsh
zmodload zsh/zpty 2>/dev/null || exit 77
dir=$1 line=$2
zpty ccnc_z zsh -f -i || exit 99
# no prompt, no listing (nothing to answer), compinit on DIR's functions
zpty -w ccnc_z "PROMPT=; unsetopt AUTO_LIST LIST_AMBIGUOUS BEEP; fpath=(${(q)dir} \$fpath)"
zpty -w ccnc_z "autoload -U compinit; compinit -u -d ${(q)dir}/.zcompdump"
zpty -w ccnc_z "zstyle ':completion:*' menu no; bindkey '^I' complete-word"
zpty -w ccnc_z "compadd() { local -a h; builtin compadd -O h \"\$@\"; (( \$#h )) && print -rl -- \$'\\x01'\${^h}; builtin compadd \"\$@\" }"
# one key completes and then prints the end mark: nothing is typed ahead
# of the completion (zsh handles a completion with keys waiting behind it
# differently, and a slow one would lose the race)
zpty -w ccnc_z "ccnc-tab() { zle complete-word; print -rn -- \$'\\x02'DONE\$'\\n' }; zle -N ccnc-tab; bindkey '^T' ccnc-tab"
zpty -w ccnc_z "print -r -- \$'\\x02'READY"
zpty -r ccnc_z out '*'$'\x02''READY*' || exit 99
# the line and the key
zpty -w -n ccnc_z "$line"$'\C-t'
zpty -r ccnc_z out '*'$'\x02''DONE*' || exit 99
zpty -d ccnc_z
print -r -- "$out" | tr '\r' '\n' | sed -n 's/^.*\x01//p' | sort -u
