#!/usr/bin/env python3
"""Load textvae model files in PyTorch.

A single module, with no dependency beyond numpy and torch (the `safetensors` package is not needed). It reads any
textvae model file (`textvae/1`, as Sources/TextVAE/TextVAE.docc/ModelFileFormat.md defines it), builds a
`torch.nn.Module` that computes what textvae computes (Model.md), and scores sentences as `textvae score` and
`textvae evaluate` do (EvaluationMetrics.md):

    import textvae
    model = textvae.load("model.safetensors")            # TextVAE (an nn.Module, in eval mode)
    ids = model.ids_from_textvae(["The cat sat."])       # token ids, tokenised by `textvae tokenize -m`
    mu, logvar = model.encode(ids)                       # (B, Z) each
    model.score(ids)                                     # [{"rec": ..., "kl": ..., "tokens": ...}], as textvae score
    model.evaluate(ids, k=500)                           # rec, kl, nelbo, nll, ppl, mi, au ... as textvae evaluate

Tokenising: a model's tokenizer is `icu` (ICU word segmentation, NFC, case mapping) or `whitespace` (text already
tokenised). ICU cannot be reproduced here, so for an `icu` model the tokens come from `textvae tokenize`
(`ids_from_textvae` runs it); a `whitespace` model's lines are tokenised here exactly (`tokenize`). Tokens become
ids with the model's vocabulary: exact lookup with `<unk>` for a vocabulary of words, textvae's byte-pair encoding
for a subword vocabulary (`Vocabulary.ids`; see its caveat on grapheme clusters).

Run `python3 textvae.py --help` for a small command line (info, score, evaluate). See README.md next to this file.
"""
import argparse, heapq, json, math, os, struct, subprocess, sys, tempfile, unicodedata
from dataclasses import dataclass, field

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

__all__ = ['load', 'read_model_file', 'TextVAE', 'Config', 'Vocabulary', 'TokenizerSettings', 'ModelFileError',
           'TextvaeRandom', 'read_lines', 'clean_controls', 'whitespace_tokens', 'textvae_tokenize']

FORMAT = 'textvae/1'
PAD, UNK, BOS, EOS = 0, 1, 2, 3
SPECIALS = ['<pad>', '<unk>', '<bos>', '<eos>']
MARKER = '\u2581'                 # starts a word in a subword vocabulary
LONGEST = 2000                    # textvae's commands cut an input sentence to this many tokens (ModelInput.longest)
LOG2PI = math.log(2 * math.pi)
# Unicode White_Space (25 code points), which textvae's whitespace tokenizer and blank-line test use.
WHITE_SPACE = frozenset('\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009'
                        '\u200a\u2028\u2029\u202f\u205f\u3000')
# The model file's tensors, in its order; the two class tensors only when the config has classes, the four reverse
# encoder tensors only when it is bidirectional.
TENSORS = ['embedding.weight',
           'encoder_rnn.weight_ih_l0', 'encoder_rnn.weight_hh_l0', 'encoder_rnn.bias_ih_l0', 'encoder_rnn.bias_hh_l0',
           'encoder_rnn.weight_ih_l0_reverse', 'encoder_rnn.weight_hh_l0_reverse',
           'encoder_rnn.bias_ih_l0_reverse', 'encoder_rnn.bias_hh_l0_reverse',
           'hidden2mean.weight', 'hidden2mean.bias', 'hidden2logv.weight', 'hidden2logv.bias',
           'hidden2class.weight', 'hidden2class.bias',
           'latent2hidden.weight', 'latent2hidden.bias',
           'decoder_rnn.weight_ih_l0', 'decoder_rnn.weight_hh_l0', 'decoder_rnn.bias_ih_l0', 'decoder_rnn.bias_hh_l0',
           'outputs2vocab.weight', 'outputs2vocab.bias']
CLASS_TENSORS = ('hidden2class.weight', 'hidden2class.bias')
REVERSE_TENSORS = tuple(n for n in TENSORS if n.endswith('_reverse'))


class ModelFileError(ValueError):
    """A file that is not a readable textvae model; the message names the file and the problem."""


# ============================================================================= the model file
@dataclass
class Config:
    """The model's sizes (the `config` metadata); keys missing from the file take textvae's defaults."""
    vocabulary: int
    embedding: int = 300
    hidden: int = 256
    latent: int = 16
    latent_to_inputs: bool = False
    max_length: int = 60
    classes: int = 0
    tied_embeddings: bool = False    # the output layer's weights are the embedding's (train --tie-embeddings)
    bidirectional: bool = False      # the encoder reads each sentence both ways; q(z|x) reads [h->; h<-] (train --bidirectional)

    @property
    def encoder_states(self):
        """Width of what q(z|x) and q(c|x) read: H, or 2H for a bidirectional encoder."""
        return 2 * self.hidden if self.bidirectional else self.hidden

    @property
    def code(self):
        """Width of the decoder's code [z; c]: Z + K."""
        return self.latent + self.classes

    @property
    def decoder_input(self):
        """Width of a decoder input row: E, or E + Z + K with latent-to-inputs."""
        return self.embedding + (self.code if self.latent_to_inputs else 0)

    def shape(self, name):
        V, E, H, Z, K, S = self.vocabulary, self.embedding, self.hidden, self.latent, self.classes, self.encoder_states
        name = name.removesuffix('_reverse')
        return {'embedding.weight': [V, E],
                'encoder_rnn.weight_ih_l0': [3 * H, E], 'encoder_rnn.weight_hh_l0': [3 * H, H],
                'encoder_rnn.bias_ih_l0': [3 * H], 'encoder_rnn.bias_hh_l0': [3 * H],
                'hidden2mean.weight': [Z, S], 'hidden2mean.bias': [Z], 'hidden2logv.weight': [Z, S], 'hidden2logv.bias': [Z],
                'hidden2class.weight': [K, S], 'hidden2class.bias': [K],
                'latent2hidden.weight': [H, Z + K], 'latent2hidden.bias': [H],
                'decoder_rnn.weight_ih_l0': [3 * H, self.decoder_input], 'decoder_rnn.weight_hh_l0': [3 * H, H],
                'decoder_rnn.bias_ih_l0': [3 * H], 'decoder_rnn.bias_hh_l0': [3 * H],
                'outputs2vocab.weight': [V, H], 'outputs2vocab.bias': [V]}[name]

    def tensors(self):
        """The tensor names a model of this config has, in the file's order."""
        return [n for n in TENSORS if (self.classes > 0 or n not in CLASS_TENSORS)
                and (self.bidirectional or n not in REVERSE_TENSORS)
                and not (self.tied_embeddings and n == 'outputs2vocab.weight')]


@dataclass
class TokenizerSettings:
    """The `tokenizer` metadata: how textvae tokenised the training text, and so every input."""
    name: str = 'icu'
    locale: str = 'en'
    lowercase: bool = True
    normalization: str = 'NFC'


def read_safetensors(path):
    """A safetensors file -> ({name: float32 numpy array (read-only view of the file's bytes)}, {key: str} metadata),
    with the container checks textvae makes (F32 only, offsets that fit the shapes and the file, no overlaps)."""
    def fail(problem):
        raise ModelFileError(f'{path}: {problem}')
    try:
        with open(path, 'rb') as f:
            data = f.read()
    except OSError as e:
        raise ModelFileError(f'cannot read {path}: {e}') from None
    if len(data) < 8:
        fail(f'only {len(data)} bytes: not a safetensors file')
    n = struct.unpack('<Q', data[:8])[0]
    if n < 2 or n > len(data) - 8:
        fail(f'header length {n} does not fit a file of {len(data)} bytes (not a safetensors file, or truncated)')
    try:
        header = json.loads(data[8:8 + n].decode('utf-8'))
    except (UnicodeDecodeError, ValueError):
        fail('the header is not a JSON object')
    if not isinstance(header, dict):
        fail('the header is not a JSON object')
    meta = header.pop('__metadata__', None) or {}
    if not isinstance(meta, dict) or not all(isinstance(v, str) for v in meta.values()):
        fail('__metadata__ is not an object of strings')
    start, size, tensors, spans = 8 + n, len(data) - 8 - n, {}, []
    for name, info in header.items():
        try:
            dtype, shape, (b, e) = info['dtype'], [int(d) for d in info['shape']], info['data_offsets']
            b, e = int(b), int(e)
        except (KeyError, TypeError, ValueError):
            fail(f'tensor {name} lacks dtype, shape or data_offsets')
        if dtype != 'F32':
            fail(f'tensor {name} is {dtype}; textvae model files hold F32 only')
        count = math.prod(shape)
        if any(d < 0 for d in shape) or not 0 <= b <= e <= size or e - b != 4 * count:
            fail(f"tensor {name}'s bytes {[b, e]} do not fit its shape {shape} or the file (truncated?)")
        tensors[name] = np.frombuffer(data, '<f4', count, start + b).reshape(shape)
        spans.append((b, e, name))
    spans.sort()
    for (_, e1, a), (b2, _, b) in zip(spans, spans[1:]):
        if e1 > b2:
            fail(f'tensors {a} and {b} overlap')
    return tensors, meta


def read_model_file(path):
    """A textvae model file -> (Config, Vocabulary, TokenizerSettings, class names, {name: numpy array}, metadata).
    Checks what textvae's ModelFile.load checks; a problem raises ModelFileError naming the file."""
    tensors, meta = read_safetensors(path)

    def fail(problem):
        raise ModelFileError(f'{path}: {problem}')

    def parsed(key, what):
        try:
            return json.loads(meta[key])
        except (KeyError, ValueError):
            fail(f"has no readable '{key}' metadata ({what})")

    fmt = meta.get('format')
    if fmt is None:
        fail("is a safetensors file but not a textvae model (no 'format' metadata)")
    if fmt != FORMAT:
        fail(f'has format {fmt!r}; this loader reads {FORMAT}' + (' (a newer textvae wrote it)' if fmt.startswith('textvae/') else ''))
    tokens = parsed('vocab', 'a JSON list of tokens')
    if not isinstance(tokens, list) or not all(isinstance(t, str) for t in tokens):
        fail("has no readable 'vocab' metadata")
    counts = [0] * len(tokens)
    try:
        c = json.loads(meta['vocab_counts'])
        if isinstance(c, list) and len(c) == len(tokens) and all(isinstance(x, (int, float)) for x in c):
            counts = [int(x) for x in c]
    except (KeyError, ValueError):
        pass
    merges = None
    if 'subword_merges' in meta:
        merges = parsed('subword_merges', 'a list of [left, right] pairs')
        if not isinstance(merges, list) or not all(isinstance(m, list) and len(m) == 2 and all(isinstance(x, str) for x in m)
                                                   for m in merges):
            fail("has unreadable 'subword_merges' metadata (it must be a list of [left, right] pairs)")
        merges = [tuple(m) for m in merges]
    try:
        vocabulary = Vocabulary(tokens, counts, merges)
    except ValueError as e:
        fail(f'has a broken vocabulary: {e}')
    cfg = parsed('config', 'a JSON object of sizes')
    tok = parsed('tokenizer', 'a JSON object')
    if not isinstance(cfg, dict) or not isinstance(tok, dict):
        fail("has unreadable 'config' or 'tokenizer' metadata")
    if cfg.get('cell', 'gru') != 'gru':
        fail(f"has {cfg.get('cell')!r} cells (train --cell); this module computes GRUs only: use the textvae commands")
    if cfg.get('adaptive_softmax_cutoffs'):
        fail('has an adaptive softmax (train --softmax adaptive), which this module does not read; its tensors are '
             "those of torch.nn.AdaptiveLogSoftmaxWithLoss (the model file article), or use the textvae commands")
    try:
        config = Config(vocabulary=int(cfg.get('vocabulary', 0)) or len(tokens),
                        **{k: type(getattr(Config, k))(cfg[k]) for k in
                           ('embedding', 'hidden', 'latent', 'latent_to_inputs', 'max_length', 'classes',
                            'tied_embeddings', 'bidirectional') if k in cfg})
        tokenizer = TokenizerSettings(**{k: tok[k] for k in ('name', 'locale', 'lowercase', 'normalization') if k in tok})
    except (TypeError, ValueError):
        fail("has unreadable 'config' or 'tokenizer' metadata")
    if config.vocabulary != len(tokens):
        fail(f'says vocabulary {config.vocabulary} but lists {len(tokens)} tokens')
    if not all(0 < x < 1 << 20 for x in (config.embedding, config.hidden, config.latent, config.max_length)) \
            or not 0 <= config.classes < 1 << 16:
        fail('has impossible sizes in its config')
    class_names = [str(k) for k in range(config.classes)]
    if 'class_names' in meta:
        names = parsed('class_names', 'a list of names')
        if not isinstance(names, list) or len(names) != config.classes or len(set(names)) != len(names) \
                or not all(isinstance(x, str) for x in names):
            fail(f"has unreadable 'class_names' metadata (it must list {config.classes} distinct names)")
        class_names = names
    weights = {}
    for name in config.tensors():
        if name not in tensors:
            fail(f'lacks tensor {name}')
        if list(tensors[name].shape) != config.shape(name):
            fail(f'tensor {name} has shape {list(tensors[name].shape)}, but its config needs {config.shape(name)}')
        if not np.isfinite(tensors[name]).all():
            fail(f'tensor {name} holds a value that is not a finite number (damaged file, or a diverged run)')
        weights[name] = tensors[name]
    if config.tied_embeddings:
        if config.embedding != config.hidden:
            fail(f'has tied embeddings but embedding {config.embedding} != hidden {config.hidden}')
        weights['outputs2vocab.weight'] = weights['embedding.weight']
    return config, vocabulary, tokenizer, class_names, weights, meta


# ============================================================================= text: lines, tokens, ids
def clean_controls(line):
    """textvae's input cleaning of one line: ANSI escape sequences removed, other C0/C1 controls but tab -> space."""
    if not any((ord(c) < 0x20 and c != '\t') or 0x7F <= ord(c) <= 0x9F for c in line):
        return line
    out, it = [], iter(line)
    for c in it:
        if c == '\x1b':
            nxt = next(it, None)
            if nxt is None:
                break
            if nxt == '[':                                   # CSI: parameters, then a final byte 0x40-0x7E
                for d in it:
                    if 0x40 <= ord(d) <= 0x7E:
                        break
            elif nxt in ']PX^_':                             # OSC, DCS, SOS, PM, APC: up to BEL or ESC x
                for d in it:
                    if d == '\x07':
                        break
                    if d == '\x1b':
                        next(it, None)
                        break
            continue                                         # other escapes: ESC + one character
        out.append(' ' if (ord(c) < 0x20 and c != '\t') or 0x7F <= ord(c) <= 0x9F else c)
    return ''.join(out)


def is_blank(line):
    return all(c in WHITE_SPACE for c in line)


def read_lines(path):
    """A UTF-8 text file's lines as textvae reads them: BOM dropped, LF line ends (a CR before them dropped),
    controls cleaned (`clean_controls`). Invalid UTF-8 raises UnicodeDecodeError (textvae stops there too)."""
    with open(path, 'rb') as f:
        data = f.read()
    if data.startswith(b'\xef\xbb\xbf'):
        data = data[3:]
    lines = data.split(b'\n')
    if lines and lines[-1] == b'':
        lines.pop()
    return [clean_controls((l[:-1] if l.endswith(b'\r') else l).decode('utf-8')) for l in lines]


def whitespace_tokens(line):
    """textvae's `whitespace` tokenizer: maximal runs of characters without the Unicode White_Space property."""
    tokens, current = [], []
    for c in line:
        if c in WHITE_SPACE:
            if current:
                tokens.append(''.join(current))
                current = []
        else:
            current.append(c)
    if current:
        tokens.append(''.join(current))
    return tokens


try:                                  # the `regex` package knows extended grapheme clusters (\X); optional
    import regex as _regex
    _GRAPHEME = _regex.compile(r'\X')
except ImportError:                   # pragma: no cover
    _GRAPHEME = None


def _hangul(ch):
    """Hangul syllable type for grapheme breaking: 'L', 'V', 'T', 'LV', 'LVT' or None."""
    cp = ord(ch)
    if 0x1100 <= cp <= 0x115F or 0xA960 <= cp <= 0xA97C:
        return 'L'
    if 0x1160 <= cp <= 0x11A7 or 0xD7B0 <= cp <= 0xD7C6:
        return 'V'
    if 0x11A8 <= cp <= 0x11FF or 0xD7CB <= cp <= 0xD7FB:
        return 'T'
    if 0xAC00 <= cp <= 0xD7A3:
        return 'LV' if (cp - 0xAC00) % 28 == 0 else 'LVT'
    return None


def graphemes(word):
    """The characters (extended grapheme clusters) of a word, as Swift's String iterates them. With the `regex`
    package installed this is its \\X (Unicode's rules; the Unicode version may differ from Swift's in rare
    scripts); without it, an approximation of Unicode's rules: a character is a code point with the combining
    marks, variation selectors, emoji modifiers and tags, zero-width-joiner sequences, regional-indicator pairs,
    Hangul jamo and virama conjuncts that continue it."""
    if _GRAPHEME is not None:
        return _GRAPHEME.findall(word)
    out = []
    for ch in word:
        cp = ord(ch)
        if not out:
            out.append(ch)
            continue
        prev, last = out[-1], out[-1][-1]
        hp, hc = _hangul(last), _hangul(ch)
        joins = (unicodedata.category(ch) in ('Mn', 'Me', 'Mc') or cp == 0x200D or last == '\u200d'
                 or 0x1F3FB <= cp <= 0x1F3FF or 0xE0020 <= cp <= 0xE007F
                 or (last == '\r' and ch == '\n')
                 or (0x1F1E6 <= cp <= 0x1F1FF and len(prev) == 1 and 0x1F1E6 <= ord(prev) <= 0x1F1FF)
                 or (hp == 'L' and hc in ('L', 'V', 'LV', 'LVT')) or (hp in ('LV', 'V') and hc in ('V', 'T'))
                 or (hp in ('LVT', 'T') and hc == 'T')
                 or (unicodedata.combining(last) == 9 and unicodedata.category(ch) == 'Lo'))
        if joins and not (last == '\r' and ch != '\n'):
            out[-1] += ch
        else:
            out.append(ch)
    return out


class Vocabulary:
    """Token ids: the four specials, then words or subword pieces (TextToTokens.md). For a subword vocabulary,
    `merges` holds the byte-pair merges in rank order and `ids` splits each word into pieces as textvae does."""

    def __init__(self, tokens, counts=None, merges=None):
        if tokens[:4] != SPECIALS:
            raise ValueError(f'vocabulary must start with {" ".join(SPECIALS)}, found {" ".join(tokens[:4])}')
        self.tokens = list(tokens)
        self.counts = list(counts) if counts is not None else [0] * len(tokens)
        self.index = {}
        for i, t in enumerate(self.tokens):          # Python compares strings by code points, as textvae does
            if t in self.index:
                raise ValueError(f"vocabulary lists '{t}' twice")
            self.index[t] = i
        self.merges = None if merges is None else [tuple(m) for m in merges]
        if self.merges is not None:
            if MARKER not in self.index:
                raise ValueError(f'a subword vocabulary must hold the word-start marker {MARKER}')
            self._rank, self._result = {}, []
            for r, (a, b) in enumerate(self.merges):
                ia, ib, ic = self.index.get(a), self.index.get(b), self.index.get(a + b)
                if ia is None or ib is None or ic is None:
                    raise ValueError(f"subword merge {r + 1} ('{a}' + '{b}') uses pieces the vocabulary lacks")
                self._rank.setdefault((ia, ib), r)
                self._result.append(ic)
            self._cache = {}

    def __len__(self):
        return len(self.tokens)

    @property
    def subwords(self):
        """Whether the tokens are subword pieces (byte-pair encoding)."""
        return self.merges is not None

    def id(self, token):
        """A word's id: exact lookup; unknown words and the literal specials give <unk> (1)."""
        i = self.index.get(token, UNK)
        return i if i >= 4 else UNK

    def ids(self, words):
        """The ids of a tokenised sentence (a list of words, as textvae's tokenizer gives them): one per word, or
        for a subword vocabulary each word's pieces. Not cut to any length."""
        if self.merges is None:
            return [self.id(w) for w in words]
        return [i for w in words for i in self._pieces(w)]

    def piece_ids(self, pieces):
        """The ids of pieces or tokens as `textvae tokenize -m` prints them (every one is a vocabulary token or
        `<unk>`)."""
        out = []
        for p in pieces:
            if p not in self.index:
                raise ValueError(f"'{p}' is not a token of this vocabulary: give the output of 'textvae tokenize -m MODEL'")
            out.append(self.index[p] if self.index[p] >= 4 else UNK)
        return out

    # -- byte-pair encoding, as Sources/TextVAE/Text/Subwords.swift
    def _pieces(self, word):
        known = self._cache.get(word)
        if known is None:
            symbols = [self.index[MARKER]]
            for ch in graphemes(word):
                i = self.index.get(ch)
                symbols.append(UNK if i is None or i < 4 or MARKER in ch else i)
            known = self._merge(symbols) if len(symbols) <= 48 else self._merge_heap(symbols)
            if len(self._cache) < 500_000:
                self._cache[word] = known
        return list(known)

    def _merge(self, symbols):
        """The lowest-ranked adjacent pair first, the leftmost among equals, until none applies."""
        rank = self._rank
        while len(symbols) > 1:
            best, at = None, -1
            for i in range(len(symbols) - 1):
                r = rank.get((symbols[i], symbols[i + 1]))
                if r is not None and (best is None or r < best):
                    best, at = r, i
            if at < 0:
                break
            symbols[at:at + 2] = [self._result[best]]
        return symbols

    def _merge_heap(self, symbols):
        """The same merges for long words, with a heap of (rank, position) over a linked list."""
        rank, n = self._rank, len(symbols)
        nxt, prv, alive, heap = list(range(1, n + 1)), list(range(-1, n - 1)), [True] * n, []

        def offer(i):
            if i >= 0 and nxt[i] < n:
                r = rank.get((symbols[i], symbols[nxt[i]]))
                if r is not None:
                    heapq.heappush(heap, (r, i))
        for i in range(n - 1):
            offer(i)
        while heap:
            r, i = heapq.heappop(heap)
            if not alive[i] or nxt[i] >= n or rank.get((symbols[i], symbols[nxt[i]])) != r:
                continue
            j = nxt[i]
            symbols[i], alive[j], nxt[i] = self._result[r], False, nxt[j]
            if nxt[j] < n:
                prv[nxt[j]] = i
            offer(prv[i])
            offer(i)
        out, i = [], 0
        while i < n:
            out.append(symbols[i])
            i = nxt[i]
        return out

    def words(self, ids):
        """Ids back to words: each id's token, or for subwords the pieces joined into words, the marker dropped."""
        if self.merges is None:
            return [self.tokens[i] for i in ids]
        words = []
        for i in ids:
            piece = self.tokens[i]
            if piece.startswith(MARKER) or not words:
                words.append(piece[1:] if piece.startswith(MARKER) else piece)
            else:
                words[-1] += piece
        return [w for w in words if w]

    def word_count(self, ids):
        return len(ids) if self.merges is None else len(self.words(ids))


def textvae_tokenize(model_path, lines, textvae='textvae'):
    """Runs `textvae tokenize -m MODEL` on `lines` (strings, one sentence each) -> per line its tokens as the model
    sees them (pieces for a subword model, `<unk>` for unknown words), or None for a line textvae skips (blank, or
    only controls and white space). `textvae` is the path of the textvae executable."""
    lines = [clean_controls(l) for l in lines]
    if any('\n' in l for l in lines):
        raise ValueError('a line holds a line break: give one sentence per element')
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, 'lines.txt')
        with open(path, 'w', encoding='utf-8', newline='\n') as f:
            f.writelines(l + '\n' for l in lines)
        # U+001F never occurs in a token: textvae turns control characters of its input into spaces.
        done = subprocess.run([textvae, 'tokenize', '-m', model_path, '--file', path, '--separator', '\x1f'],
                              capture_output=True)
        if done.returncode != 0:
            raise RuntimeError(f'{textvae} tokenize failed: {done.stderr.decode("utf-8", "replace").strip()}')
        out = done.stdout.decode('utf-8')
    rows = out.split('\n')[:-1] if out else []
    kept = [i for i, l in enumerate(lines) if not is_blank(l)]
    if len(rows) != len(kept):
        raise RuntimeError(f'textvae tokenize printed {len(rows)} sentences for {len(kept)} non-blank lines')
    result = [None] * len(lines)
    for i, row in zip(kept, rows):
        result[i] = row.split('\x1f')
    return result


# ============================================================================= textvae's random numbers
class TextvaeRandom:
    """textvae's generator (Sources/TextVAE/Support/Random.swift): xoshiro256** seeded through SplitMix64, normals
    by Box-Muller (one of the pair), Gumbel noise as ClassChoice.gumbel. Pure Python: about a million numbers in
    a few seconds. With it, `evaluate(..., rng='textvae')` draws exactly the numbers `textvae evaluate --seed`
    draws."""
    M = (1 << 64) - 1

    def __init__(self, seed=0):
        M, x, s = self.M, seed & self.M, []
        for _ in range(4):
            x = (x + 0x9E3779B97F4A7C15) & M
            z = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & M
            z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M
            s.append(z ^ (z >> 31))
        self.state = s

    def next(self):
        M = self.M
        s0, s1, s2, s3 = self.state
        r = (s1 * 5) & M
        result = ((((r << 7) | (r >> 57)) & M) * 9) & M
        t = (s1 << 17) & M
        s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3; s2 ^= t
        s3 = ((s3 << 45) | (s3 >> 19)) & M
        self.state = [s0, s1, s2, s3]
        return result

    def normals(self, n):
        """n standard normals, float32 (as textvae's Random.normal)."""
        out, nxt, log, cos, sqrt, twopi = np.empty(n, np.float64), self.next, math.log, math.cos, math.sqrt, 2 * math.pi
        for i in range(n):
            u1 = ((nxt() >> 11) + 1) * 2.0 ** -53
            u2 = (nxt() >> 11) * 2.0 ** -53
            out[i] = sqrt(-2 * log(u1)) * cos(twopi * u2)
        return out.astype(np.float32)

    def gumbels(self, n):
        """n standard Gumbel numbers -log(-log u), float32."""
        return np.array([-math.log(-math.log(((self.next() >> 11) + 0.5) * 2.0 ** -53)) for _ in range(n)],
                        np.float64).astype(np.float32)


class _TorchRandom:
    """The same draws' shapes from a seeded torch.Generator (fast; not textvae's numbers)."""

    def __init__(self, seed):
        self.gen = torch.Generator().manual_seed(seed)

    def normals(self, n):
        return torch.randn(n, generator=self.gen, dtype=torch.float64).float().numpy()

    def gumbels(self, n):
        u = torch.rand(n, generator=self.gen, dtype=torch.float64).clamp(1e-300, 1 - 1e-16)
        return (-torch.log(-torch.log(u))).float().numpy()


# ============================================================================= the model
class TextVAE(nn.Module):
    """textvae's sentence VAE (Model.md). Attribute names are the model file's tensor names, so `state_dict()` has
    exactly the file's tensors. Sentences are lists of token ids (no <bos>/<eos>), at least one token each.

    Also carries what the file says: `config`, `vocab` (a Vocabulary), `tokenizer`, `class_names`, `metadata`
    (every metadata string, textvae's own keys included) and `path`."""

    def __init__(self, config, vocab=None, tokenizer=None, class_names=None, metadata=None, path=None):
        super().__init__()
        c = self.config = config
        V, E, H, Z, K = c.vocabulary, c.embedding, c.hidden, c.latent, c.classes
        self.vocab = vocab if vocab is not None else Vocabulary(SPECIALS + [f'w{i}' for i in range(V - 4)])
        self.tokenizer = tokenizer or TokenizerSettings()
        self.class_names = class_names if class_names is not None else [str(k) for k in range(K)]
        self.metadata = dict(metadata or {})
        self.path = path
        self.embedding = nn.Embedding(V, E)
        # gates r, z, n, as textvae; bidirectional: the reverse direction's tensors are named *_reverse, as textvae's
        self.encoder_rnn = nn.GRU(E, H, batch_first=True, bidirectional=c.bidirectional)
        S = c.encoder_states
        self.hidden2mean = nn.Linear(S, Z)
        self.hidden2logv = nn.Linear(S, Z)
        if K > 0:
            self.hidden2class = nn.Linear(S, K)
        self.latent2hidden = nn.Linear(Z + K, H)                    # h_0 = W [z; c] + b, no activation
        self.decoder_rnn = nn.GRU(c.decoder_input, H, batch_first=True)
        self.outputs2vocab = nn.Linear(H, V)

    @classmethod
    def from_file(cls, path, dtype=torch.float32, device='cpu'):
        config, vocab, tokenizer, class_names, weights, meta = read_model_file(path)
        model = cls(config, vocab, tokenizer, class_names, meta, path)
        model.load_state_dict({n: torch.from_numpy(np.array(w)) for n, w in weights.items()})
        return model.to(device=device, dtype=dtype).eval()

    # -- helpers
    @property
    def _dtype(self):
        return self.embedding.weight.dtype

    @property
    def _device(self):
        return self.embedding.weight.device

    @staticmethod
    def _batch(ids):
        """One sentence (list of ints / 1-D tensor) or several -> (list of lists, was_single)."""
        if torch.is_tensor(ids):
            ids = ids.tolist()
        if len(ids) > 0 and isinstance(ids[0], (int, np.integer)):
            ids = [ids]
            single = True
        else:
            single = False
        ids = [[int(t) for t in (s.tolist() if torch.is_tensor(s) else s)] for s in ids]
        if not ids or any(len(s) == 0 for s in ids):
            raise ValueError('every sentence needs at least one token')
        return ids, single

    def _chunks(self, seqs, budget=None):
        """Consecutive index ranges whose decoder positions x V stay within about 16M logits."""
        budget = budget or max(1, (16 << 20) // self.config.vocabulary)
        start = 0
        while start < len(seqs):
            end, rows = start, 0
            while end < len(seqs) and (end == start or rows + len(seqs[end]) + 1 <= budget):
                rows += len(seqs[end]) + 1
                end += 1
            yield start, end
            start = end

    def _pad(self, seqs):
        lens = torch.tensor([len(s) for s in seqs], dtype=torch.long)
        x = torch.full((len(seqs), int(lens.max()) + 1), PAD, dtype=torch.long)
        for i, s in enumerate(seqs):
            x[i, :len(s)] = torch.tensor(s, dtype=torch.long)
        return x.to(self._device), lens

    # -- encoder and posterior
    @torch.no_grad()
    def posterior(self, ids):
        """-> mu, logvar (B, Z), and q(c|x)'s logits (B, K) or None without classes; from h_T, the encoder's
        state after each sentence's own last token (no <bos>, no <eos>); bidirectional: [h_T; the reverse
        direction's state after the first token]."""
        seqs, single = self._batch(ids)
        mus, logvs, logits = [], [], []
        for a, b in self._chunks(seqs, budget=1 << 16):
            x, lens = self._pad(seqs[a:b])
            packed = pack_padded_sequence(self.embedding(x[:, :-1]), lens, batch_first=True, enforce_sorted=False)
            _, h = self.encoder_rnn(packed)
            hT = torch.cat([h[0], h[1]], dim=1) if self.config.bidirectional else h[0]
            mus.append(self.hidden2mean(hT))
            logvs.append(self.hidden2logv(hT))
            if self.config.classes > 0:
                logits.append(self.hidden2class(hT))
        mu, logv = torch.cat(mus), torch.cat(logvs)
        cl = torch.cat(logits) if logits else None
        if single:
            return mu[0], logv[0], (cl[0] if cl is not None else None)
        return mu, logv, cl

    def encode(self, ids):
        """-> mu, logvar of q(z|x): (Z,) each for one sentence, (B, Z) for a list of sentences."""
        mu, logv, _ = self.posterior(ids)
        return mu, logv

    def class_probabilities(self, ids):
        """q(c|x), (B, K) (or (K,) for one sentence), for a model with classes."""
        if self.config.classes == 0:
            raise ValueError('this model has no classes')
        return torch.softmax(self.posterior(ids)[2], -1)

    @staticmethod
    def kl(mu, logvar):
        """KL(q(z|x) || N(0, I)) = 1/2 sum_j (mu^2 + sigma^2 - log sigma^2 - 1), per sentence (last axis summed)."""
        return 0.5 * (mu.pow(2) + logvar.exp() - logvar - 1).sum(-1)

    @staticmethod
    def class_kl(class_logits):
        """KL(q(c|x) || uniform) = sum_k q_k log q_k + log K, at least 0, per sentence."""
        logq = torch.log_softmax(class_logits, -1)
        K = class_logits.shape[-1]
        return (torch.where(logq.exp() > 0, logq.exp() * logq, torch.zeros_like(logq)).sum(-1) + math.log(K)).clamp(min=0)

    # -- decoder
    def _code(self, z, c, n):
        """[z; c] (n, Z + K); c: class indices (ints), or class vectors (n, K)."""
        z = torch.as_tensor(z, dtype=self._dtype, device=self._device).reshape(n, self.config.latent)
        K = self.config.classes
        if K == 0:
            return z
        c = torch.as_tensor(c, device=self._device)
        if c.dim() == 0 or (c.dim() == 1 and not c.is_floating_point()):
            c = F.one_hot(c.long().reshape(-1).expand(n) if c.numel() == 1 else c.long(), K)
        return torch.cat([z, c.to(self._dtype).reshape(n, K)], 1)

    @torch.no_grad()
    def _rec(self, seqs, code):
        """-log p(x | code) summed over each sentence's T + 1 targets (tokens, then <eos>) -> float64 (B,)."""
        out = []
        for a, b in self._chunks(seqs):
            x, lens = self._pad(seqs[a:b])
            cd = code[a:b]
            dec_in = torch.cat([torch.full((x.size(0), 1), BOS, dtype=torch.long, device=x.device), x[:, :-1]], 1)
            tgt = x.clone()
            tgt[torch.arange(x.size(0)), lens] = EOS
            e = self.embedding(dec_in)
            if self.config.latent_to_inputs:
                e = torch.cat([e, cd.unsqueeze(1).expand(-1, e.size(1), -1)], 2)
            packed = pack_padded_sequence(e, lens + 1, batch_first=True, enforce_sorted=False)
            states, _ = self.decoder_rnn(packed, self.latent2hidden(cd).unsqueeze(0).contiguous())
            states = pad_packed_sequence(states, batch_first=True)[0]
            mask = (torch.arange(states.size(1)) < (lens + 1).unsqueeze(1)).to(x.device)
            nll = F.cross_entropy(self.outputs2vocab(states[mask]), tgt[:, :states.size(1)][mask], reduction='none')
            per = torch.zeros(mask.shape, dtype=torch.float64, device=x.device).masked_scatter(mask, nll.double())
            out.append(per.sum(1))
        return torch.cat(out).cpu()

    def reconstruction_log_likelihood(self, ids, z, c=None):
        """log p(x | z) (or log p(x | z, c)) of each sentence: the sum over its T + 1 targets, <eos> included
        (= -rec). z: (Z,) for one sentence, (B, Z) for several. In a model with classes, c is each sentence's class
        (an int, a list of ints, or class vectors (B, K)); without c, p(x | z) = (1/K) sum_c p(x | z, c), as
        `evaluate`'s nll. -> float64 tensor (B,) (a scalar for one sentence)."""
        seqs, single = self._batch(ids)
        n, K = len(seqs), self.config.classes
        if K > 0 and c is None:
            rows = [s for s in seqs for _ in range(K)]
            z = torch.as_tensor(z, dtype=self._dtype, device=self._device).reshape(n, self.config.latent)
            code = self._code(z.repeat_interleave(K, 0), torch.arange(K).repeat(n), n * K)
            terms = -self._rec(rows, code).reshape(n, K)
            ll = torch.logsumexp(terms, 1) - math.log(K)
        else:
            ll = -self._rec(seqs, self._code(z, c, n))
        return ll[0] if single else ll

    def forward(self, ids, eps=None, c=None):
        """The one-sample figures: z = mu + sigma * eps (eps ~ N(0, I) if not given; eps = 0 gives z = mu) ->
        rec (B,), kl (B,). In a model with classes, c is the given classes, else the most likely class."""
        seqs, _ = self._batch(ids)
        mu, logv, cl = self.posterior(seqs)
        eps = torch.randn_like(mu) if eps is None else torch.as_tensor(eps, dtype=mu.dtype).reshape(mu.shape)
        z = mu + torch.exp(0.5 * logv) * eps
        if self.config.classes > 0 and c is None:
            c = cl.argmax(1)
        return -self.reconstruction_log_likelihood(seqs, z, c), self.kl(mu, logv).double()

    # -- textvae score
    def score(self, sentences):
        """Per sentence, as `textvae score`: rec at z = mu (and, with classes, c = the most likely class), kl, and
        tokens = T + 1 -> list of dicts {"rec", "kl", "tokens"} (with classes also "class" and "kl_c")."""
        seqs, _ = self._batch(sentences)
        mu, logv, cl = self.posterior(seqs)
        c = cl.argmax(1) if cl is not None else None
        rec = -self.reconstruction_log_likelihood(seqs, mu, c)
        kl = self.kl(mu, logv)
        out = [{'rec': float(r), 'kl': float(k), 'tokens': len(s) + 1} for r, k, s in zip(rec, kl, seqs)]
        if cl is not None:
            for d, ci, kc in zip(out, c.tolist(), self.class_kl(cl).tolist()):
                d['class'], d['kl_c'] = self.class_names[ci], kc
        return out

    # -- textvae evaluate
    def evaluate(self, sentences, k=500, seed=0, rng='torch', mi_batch=32, labels=None, progress=None):
        """The figures of `textvae evaluate` (EvaluationMetrics.md), means over the sentences, in nats:
        rec and kl from one z ~ q(z|x) per sentence (with classes, one exact draw of c and kl_c), nelbo = rec + kl
        (+ kl_c), nll by importance sampling with k samples of q(z|x) (summing over the classes exactly), nll_se
        (delta method), ppl, word_ppl, mi (batches of `mi_batch`), au, mu_var; also rec_se, the Monte-Carlo
        standard error of the one-sample rec (from the importance samples; not in textvae's output).

        rng='textvae' draws textvae's own numbers for `seed` (TextvaeRandom, in textvae's order), so the figures
        equal `textvae evaluate --seed SEED` up to float rounding; rng='torch' (faster) draws from a seeded
        torch.Generator, so the sampled figures (rec, nelbo, nll, ppl, mi) agree only statistically.
        labels: with classes, each sentence's class index or name (None: unlabelled), for the accuracy of q(c|x).
        progress: called with (sentences done, N) during importance sampling."""
        seqs, _ = self._batch(sentences)
        N, Z, K, V = len(seqs), self.config.latent, self.config.classes, self.config.vocabulary
        gen = TextvaeRandom(seed) if rng == 'textvae' else _TorchRandom(seed) if rng == 'torch' else None
        if gen is None:
            raise ValueError("rng must be 'textvae' or 'torch'")
        mu, logv, cl = self.posterior(seqs)
        # The one-sample pass: textvae's `score` batches (mi_batch sentences, fewer if very long), each batch's
        # eps (sentence by sentence), then with classes its Gumbel noise.
        eps, gum = np.zeros((N, Z), np.float32), np.zeros((N, max(K, 1)), np.float32)
        row_limit = max((256 << 20) // (4 * max(1, V)), mi_batch * (self.config.max_length + 1))
        start = 0
        while start < N:
            end, rows = start, 0
            while end < N and end - start < max(1, mi_batch) and (end == start or rows + len(seqs[end]) + 1 <= row_limit):
                rows += len(seqs[end]) + 1
                end += 1
            eps[start:end] = gen.normals((end - start) * Z).reshape(end - start, Z)
            if K > 0:
                gum[start:end] = gen.gumbels((end - start) * K).reshape(end - start, K)
            start = end
        e = torch.from_numpy(eps).to(mu.dtype)
        z = mu + torch.exp(0.5 * logv) * e
        c = None
        if K > 0:
            c = (cl.float() + torch.from_numpy(gum)).argmax(1)
        rec = -self.reconstruction_log_likelihood(seqs, z, c)
        kl = self.kl(mu, logv).double()
        kl_c = self.class_kl(cl).double() if K > 0 else torch.zeros(N, dtype=torch.float64)
        tokens = sum(len(s) + 1 for s in seqs)
        words = sum(self.vocab.word_count(s) for s in seqs)
        r = dict(sentences=N, tokens=tokens, k=k, rec=rec.mean().item(), kl=kl.mean().item())
        if K > 0:
            r['kl_c'] = kl_c.mean().item()
        r['nelbo'] = r['rec'] + r['kl'] + r.get('kl_c', 0.0)
        # Mutual information (He et al. 2019) over batches of mi_batch in file order, and active units.
        z64, mu64, lv64 = z.double().numpy(), mu.double().numpy(), logv.double().numpy()
        mi_sum = 0.0
        for a in range(0, N, mi_batch):
            zb, mb, lb = z64[a:a + mi_batch], mu64[a:a + mi_batch], lv64[a:a + mi_batch]
            B = len(zb)
            neg_entropy = (-0.5 * (LOG2PI + 1 + lb)).sum() / B
            d = zb[:, None, :] - mb[None, :, :]
            logq = (-0.5 * (LOG2PI + lb[None] + d * d / np.exp(lb[None]))).sum(2)      # (i, k)
            m = logq.max(1, keepdims=True)
            log_qz = (m[:, 0] + np.log(np.exp(logq - m).sum(1)) - math.log(B)).sum()
            mi_sum += B * (neg_entropy - log_qz / B)
        mu_var = mu64.var(0, ddof=1) if N >= 2 else np.zeros(Z)
        # Importance sampling, sentence by sentence, k samples each (with classes, K decoder rows per sample).
        nll, var, rec_var = np.zeros(N), np.zeros(N), np.zeros(N)
        qc = torch.softmax(cl.double(), 1) if K > 0 else None
        per_call = max(1, (16 << 20) // V)
        for s, seq in enumerate(seqs):
            es = torch.from_numpy(gen.normals(k * Z).reshape(k, Z)).to(mu.dtype)
            zs = mu[s] + torch.exp(0.5 * logv[s]) * es                                   # (k, Z)
            log_prior = (-0.5 * (LOG2PI + zs.double() ** 2)).sum(1)
            log_q = (-0.5 * (LOG2PI + logv[s].double() + es.double() ** 2)).sum(1)
            rows = max(1, per_call // ((len(seq) + 1) * max(K, 1)))
            lls = []
            for a in range(0, k, rows):
                zc = zs[a:a + rows]
                n = len(zc)
                if K == 0:
                    lls.append(-self._rec([seq] * n, zc))
                else:
                    code = self._code(zc.repeat_interleave(K, 0), torch.arange(K).repeat(n), n * K)
                    lls.append(-self._rec([seq] * (n * K), code).reshape(n, K))
            ll = torch.cat(lls)
            if K == 0:
                log_lik = ll
                rec_var[s] = ll.var(unbiased=False).item() if k > 1 else 0.0
            else:
                log_lik = torch.logsumexp(ll, 1) - math.log(K)
                m1 = (ll * qc[s]).sum(1).mean()
                m2 = (ll ** 2 * qc[s]).sum(1).mean()
                rec_var[s] = max(0.0, (m2 - m1 ** 2).item())
            log_w = (log_lik + log_prior - log_q).numpy()
            m = log_w.max()
            w = np.exp(log_w - m)
            s1, s2 = w.sum(), (w * w).sum()
            nll[s] = math.log(k) - (m + math.log(s1))
            mean = s1 / k
            var[s] = max(0.0, s2 / k - mean * mean) / (mean * mean) / k
            if progress:
                progress(s + 1, N)
        r.update(nll=float(nll.mean()), nll_se=math.sqrt(var.sum()) / N, rec_se=math.sqrt(rec_var.sum()) / N,
                 ppl=math.exp(nll.sum() / tokens), words=words, word_ppl=math.exp(nll.sum() / (words + N)),
                 unk_share=sum(t == UNK for s in seqs for t in s) / max(1, tokens - N),
                 mi=float(mi_sum / N), mi_batch=mi_batch, au=int((mu_var > 0.01).sum()), mu_var=[float(v) for v in mu_var],
                 seed=seed, rng=rng)
        if K > 0:
            r['classes'] = K
            if labels is not None:
                names = {n: i for i, n in enumerate(self.class_names)}
                given = [(i, names[l] if isinstance(l, str) else int(l)) for i, l in enumerate(labels) if l is not None]
                if given:
                    pred = cl.argmax(1).tolist()
                    r['accuracy'] = sum(pred[i] == y for i, y in given) / len(given)
                    r['labelled'] = len(given)
        r['sentence_nll'] = nll.tolist()
        return r

    # -- text to ids
    def tokenize(self, line):
        """The tokens of one line, for a model with the `whitespace` tokenizer (exactly textvae's). An `icu` model's
        tokenisation cannot be reproduced in Python: use `ids_from_textvae`, or `textvae tokenize` yourself."""
        if self.tokenizer.name != 'whitespace':
            raise ValueError(f"this model's tokenizer is {self.tokenizer.name!r} (ICU), which Python cannot reproduce: "
                             "tokenise with `textvae tokenize -m MODEL` (model.ids_from_textvae does)")
        return whitespace_tokens(clean_controls(line))

    def ids(self, tokens, cut=LONGEST):
        """Token ids of one tokenised sentence (words, as the tokenizer gives them), cut to `cut` ids as textvae's
        commands cut their input (2000)."""
        return self.vocab.ids(tokens)[:cut]

    def ids_from_lines(self, lines, cut=LONGEST):
        """Ids of text lines for a `whitespace` model, computed in Python; None for a line textvae would skip."""
        out = []
        for line in lines:
            toks = self.tokenize(line)
            out.append(self.ids(toks, cut) if toks else None)
        return out

    def ids_from_textvae(self, lines, textvae='textvae', cut=LONGEST):
        """Ids of text lines as textvae sees them, any tokenizer: runs `textvae tokenize -m` on this model's file
        (`textvae` is the executable's path). None for a line textvae skips."""
        if self.path is None:
            raise ValueError('the model was not loaded from a file')
        return [None if p is None else self.vocab.piece_ids(p)[:cut] for p in textvae_tokenize(self.path, lines, textvae)]

    def describe(self):
        c = self.config
        return {'path': self.path, 'config': c.__dict__, 'tokenizer': self.tokenizer.__dict__,
                'vocabulary': 'bpe' if self.vocab.subwords else 'words', 'merges': len(self.vocab.merges or []),
                'class_names': self.class_names, 'parameters': sum(p.numel() for p in self.parameters()),
                'producer': self.metadata.get('producer')}


def load(path, dtype=torch.float32, device='cpu'):
    """A textvae model file -> TextVAE (nn.Module in eval mode). dtype=torch.float64 computes in double precision
    (the weights are float32 in the file)."""
    return TextVAE.from_file(path, dtype=dtype, device=device)


# ============================================================================= command line
def _sentences(model, a):
    """The ids of the input file: --tokens (textvae tokenize -m output), Python (whitespace), or textvae (icu)."""
    if a.tokens:                       # read as is: clean_controls would turn a separator such as U+001F into a space
        with open(a.file, encoding='utf-8') as f:
            rows = [l[:-1] if l.endswith('\r') else l for l in f.read().split('\n')]
        rows = [l for l in rows if not is_blank(l)]
        return [model.vocab.piece_ids([t for t in row.split(a.separator) if t != ''] if a.separator.strip()
                                      else whitespace_tokens(row))[:LONGEST] for row in rows]
    lines = read_lines(a.file)
    ids = model.ids_from_lines(lines) if model.tokenizer.name == 'whitespace' else model.ids_from_textvae(lines, a.textvae)
    return [s for s in ids if s is not None]


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest='command', required=True)
    info = sub.add_parser('info', help="print a model file's config, tokenizer and classes as JSON")
    info.add_argument('model')
    for name, help in (('score', 'per-sentence rec (z = mu), kl, tokens as JSON lines, as textvae score'),
                       ('evaluate', 'rec, kl, nelbo, nll, ... as one JSON object, as textvae evaluate --json')):
        s = sub.add_parser(name, help=help)
        s.add_argument('-m', '--model', required=True)
        s.add_argument('file', help='sentences, one per line')
        s.add_argument('--tokens', action='store_true',
                       help='FILE holds tokens as `textvae tokenize -m MODEL` prints them, not text')
        s.add_argument('--separator', default=' | ', help='with --tokens: the separator tokenize printed (default " | ")')
        s.add_argument('--textvae', default='textvae', help='the textvae executable, to tokenise for an icu model')
        s.add_argument('--threads', type=int, default=1)
        s.add_argument('--float64', action='store_true', help='compute in double precision')
        if name == 'evaluate':
            s.add_argument('-k', type=int, default=500, help='importance samples per sentence')
            s.add_argument('--seed', type=int, default=0)
            s.add_argument('--rng', choices=['textvae', 'torch'], default='textvae',
                           help="textvae: textvae's own random numbers (same figures as textvae evaluate --seed); "
                                'torch: a torch generator (faster)')
    a = p.parse_args(argv)
    if a.command == 'info':
        print(json.dumps(load(a.model).describe(), ensure_ascii=False))
        return
    torch.set_num_threads(a.threads)
    model = load(a.model, dtype=torch.float64 if a.float64 else torch.float32)
    sents = _sentences(model, a)
    if a.command == 'score':
        for d in model.score(sents):
            print(json.dumps(d, ensure_ascii=False))
    else:
        r = model.evaluate(sents, k=a.k, seed=a.seed, rng=a.rng)
        r.pop('sentence_nll')
        print(json.dumps(dict(file=a.file, **r), ensure_ascii=False))


if __name__ == '__main__':
    main()
