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
zpty -w ccnc_z "print -r -- \$'\\x02'READY"
zpty -r ccnc_z out '*'$'\x02''READY*' || exit 99
# the line, TAB, then (the line cleared) a mark that ends the output
zpty -w -n ccnc_z "$line"$'\t'$'\C-u'
zpty -w ccnc_z "print -r -- \$'\\x02'DONE"
zpty -r ccnc_z out '*'$'\x02''DONE*' || exit 99
zpty -d ccnc_z
print -r -- "$out" | tr '\r' '\n' | sed -n 's/^.*\x01//p' | sort -u
