#!/usr/bin/env python3
"""PyTorch reference of textvae's sentence VAE (Bowman et al. 2016, GRUs).

A second, independent implementation of what the articles in Sources/TextVAE/TextVAE.docc define (Model,
Training, Metrics, TextToTokens, ModelFile), for cross-checking textvae: same vocabulary rules, model equations,
loss, metrics and safetensors model file. CPU only; deterministic given --seed and --threads. See README.md next
to this file (Tests/Reference/README.md).
Subcommands: vocab, train, score, eval, bench, golden, selfcheck.
"""
import argparse, filecmp, json, math, os, random, re, struct, sys, tempfile, time
from collections import Counter

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

PAD, UNK, BOS, EOS = 0, 1, 2, 3
SPECIALS = ['<pad>', '<unk>', '<bos>', '<eos>']
TENSORS = ['embedding.weight',
           'encoder_rnn.weight_ih_l0', 'encoder_rnn.weight_hh_l0', 'encoder_rnn.bias_ih_l0', 'encoder_rnn.bias_hh_l0',
           'hidden2mean.weight', 'hidden2mean.bias', 'hidden2logv.weight', 'hidden2logv.bias',
           'latent2hidden.weight', 'latent2hidden.bias',
           'decoder_rnn.weight_ih_l0', 'decoder_rnn.weight_hh_l0', 'decoder_rnn.bias_ih_l0', 'decoder_rnn.bias_hh_l0',
           'outputs2vocab.weight', 'outputs2vocab.bias']
# Unicode White_Space property (the 25 code points); Python's str.split() would also split on U+001C..U+001F.
WORD = re.compile('[^\t\n\v\f\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+')
LOG2PI = math.log(2 * math.pi)
DEFAULT_THREADS = 2  # measured on the 2-vCPU machine: 2 threads train 1.6-1.75x faster than 1 when it is idle (README)


def die(msg):
    sys.exit(f'svae.py: error: {msg}')


# ----------------------------------------------------------------------------- text and vocabulary
def read_sentences(path):
    """UTF-8 file -> token lists: one sentence per '\\n'-terminated line, split on white space, blank lines skipped."""
    try:
        with open(path, 'rb') as f:
            text = f.read().decode('utf-8')
    except (OSError, UnicodeDecodeError) as e:
        die(f'cannot read {path} as UTF-8 text: {e}')
    sents = [toks for toks in (WORD.findall(line) for line in text.split('\n')) if toks]
    if not sents:
        die(f'{path} holds no sentences')
    return sents


def build_vocab(sents, min_count=1, max_size=20000):
    """textvae's vocabulary: specials, then words with count >= min_count by count desc, ties by code points.
    max_size caps the number of words (the 4 specials come on top). Literal specials are never counted."""
    counts = Counter(t for s in sents for t in s if t not in SPECIALS)
    words = sorted((w for w in counts if counts[w] >= min_count), key=lambda w: (-counts[w], w))[:max_size]
    return SPECIALS + words, [0] * len(SPECIALS) + [counts[w] for w in words]


def write_vocab(path, itos, counts):
    with open(path, 'w', encoding='utf-8', newline='\n') as f:
        f.writelines(f'{t}\t{c}\n' for t, c in zip(itos, counts))


def read_vocab(path):
    try:
        with open(path, encoding='utf-8') as f:
            itos = [line.rstrip('\n').rsplit('\t', 1)[0] for line in f if line.strip()]
    except (OSError, UnicodeDecodeError) as e:
        die(f'cannot read vocabulary {path}: {e}')
    return itos


def encode(sents, itos):
    """Token lists -> id lists. Unknown words and literal <pad>/<bos>/<eos> in the text map to <unk>."""
    stoi = {t: i for i, t in enumerate(itos)}
    for t in ('<pad>', '<bos>', '<eos>'):
        stoi[t] = UNK
    return [[stoi.get(t, UNK) for t in s] for s in sents]


def make_batch(seqs):
    """Id lists (T_b >= 1) -> x (B,T) tokens, dec_in (B,T+1) <bos>+tokens, tgt (B,T+1) tokens+<eos>, lens (B,) = T_b.
    Positions past a sentence's end hold <pad> and are never read."""
    B, T = len(seqs), max(map(len, seqs))
    x = torch.full((B, T + 1), PAD, dtype=torch.long)
    for i, s in enumerate(seqs):
        x[i, :len(s)] = torch.tensor(s, dtype=torch.long)
    lens = torch.tensor([len(s) for s in seqs], dtype=torch.long)
    tgt = x.clone()
    tgt[torch.arange(B), lens] = EOS
    dec_in = torch.cat([torch.full((B, 1), BOS, dtype=torch.long), x[:, :T]], 1)
    return x[:, :T], dec_in, tgt, lens


# ----------------------------------------------------------------------------- model
class SVAE(nn.Module):
    """Attribute names give exactly the model file's tensor names (state_dict keys == TENSORS)."""

    def __init__(self, V, E=300, H=256, Z=16, latent_to_inputs=False, cell='gru'):
        super().__init__()
        self.latent_to_inputs, self.cell = latent_to_inputs, cell
        rnn = nn.LSTM if cell == 'lstm' else nn.GRU               # gates r, z, n or i, f, g, o (as textvae)
        self.embedding = nn.Embedding(V, E)                      # shared by encoder and decoder
        self.encoder_rnn = rnn(E, H, batch_first=True)
        self.hidden2mean = nn.Linear(H, Z)
        self.hidden2logv = nn.Linear(H, Z)
        self.latent2hidden = nn.Linear(Z, H)                      # h0 of the decoder, no activation
        self.decoder_rnn = rnn(E + Z * latent_to_inputs, H, batch_first=True)
        self.outputs2vocab = nn.Linear(H, V)

    def state(self, h):
        """The decoder's starting state from h0 (1,B,H): h0 itself, or for an LSTM (h0, c0 = 0)."""
        return (h, torch.zeros_like(h)) if self.cell == 'lstm' else h

    def encode(self, x, lens):
        """x (B,T), lens (B,) -> mu, logv (B,Z) from h_T, the encoder state after each sentence's own last token."""
        packed = pack_padded_sequence(self.embedding(x), lens, batch_first=True, enforce_sorted=False)
        _, h = self.encoder_rnn(packed)                           # (1,B,H), or for an LSTM (h, c)
        h = h[0] if self.cell == 'lstm' else h
        return self.hidden2mean(h[0]), self.hidden2logv(h[0])

    def decoder_inputs(self, ids, z):
        e = self.embedding(ids)                                   # (B,S,E)
        if self.latent_to_inputs:
            e = torch.cat([e, z.unsqueeze(1).expand(-1, e.size(1), -1)], 2)   # (B,S,E+Z)
        return e

    def token_nll(self, z, dec_in, tgt, lens):
        """-log p(tgt_t | tgt_<t, z) for the T+1 targets of each sentence -> (B,T+1), zero past the end."""
        packed = pack_padded_sequence(self.decoder_inputs(dec_in, z), lens + 1, batch_first=True, enforce_sorted=False)
        out, _ = self.decoder_rnn(packed, self.state(self.latent2hidden(z).unsqueeze(0)))
        out = pad_packed_sequence(out, batch_first=True)[0]       # (B,T+1,H)
        mask = torch.arange(out.size(1)) < (lens + 1).unsqueeze(1)
        nll = F.cross_entropy(self.outputs2vocab(out[mask]), tgt[mask], reduction='none')  # logits only at real targets
        return torch.zeros(mask.shape, dtype=nll.dtype).masked_scatter(mask, nll)

    def forward(self, batch, eps=None, mean=False, word_dropout=0.0, gen=None):
        """-> rec (B,) summed token NLL incl. <eos>, kl_dims (B,Z). z = mu (mean) or mu + sigma*eps, eps ~ N(0,I)."""
        x, dec_in, tgt, lens = batch
        mu, logv = self.encode(x, lens)
        if mean:
            z = mu
        else:
            eps = torch.randn(mu.shape, generator=gen, dtype=mu.dtype) if eps is None else eps
            z = mu + torch.exp(0.5 * logv) * eps
        if word_dropout > 0:                                      # never drop <bos> (column 0)
            drop = torch.rand(dec_in.shape, generator=gen) < word_dropout
            drop[:, 0] = False
            dec_in = dec_in.masked_fill(drop, UNK)
        return self.token_nll(z, dec_in, tgt, lens).sum(1), kl_dims(mu, logv)

    @torch.no_grad()
    def greedy(self, z, max_len=60):
        """Greedy decoding from z (B,Z); <pad> and <bos> never emitted; stops when every row has emitted <eos>."""
        h, tok, out = self.state(self.latent2hidden(z).unsqueeze(0)), torch.full((z.size(0), 1), BOS), []
        done = torch.zeros(z.size(0), dtype=torch.bool)
        for _ in range(max_len):
            o, h = self.decoder_rnn(self.decoder_inputs(tok, z), h)
            logits = self.outputs2vocab(o[:, 0])
            logits[:, [PAD, BOS]] = -math.inf
            tok = logits.argmax(1, keepdim=True)
            out.append(tok)
            done |= tok[:, 0] == EOS
            if done.all():
                break
        return torch.cat(out, 1)


def kl_dims(mu, logv):
    """KL(N(mu, sigma^2) || N(0, I)) per dimension: 0.5 (mu^2 + sigma^2 - log sigma^2 - 1) -> (B,Z)."""
    return 0.5 * (mu.pow(2) + logv.exp() - logv - 1)


# ----------------------------------------------------------------------------- model file (safetensors, by hand)
def save_safetensors(path, tensors, metadata=None):
    """name -> tensor, written as little-endian F32 in the given order; header padded with spaces to 8 bytes."""
    header, blobs, off = {}, [], 0
    if metadata:
        header['__metadata__'] = {k: str(v) for k, v in metadata.items()}
    for name, t in tensors.items():
        b = t.detach().to(torch.float32).contiguous().numpy().astype('<f4').tobytes()
        header[name] = {'dtype': 'F32', 'shape': list(t.shape), 'data_offsets': [off, off + len(b)]}
        blobs.append(b)
        off += len(b)
    h = json.dumps(header, ensure_ascii=False, separators=(',', ':')).encode('utf-8')
    h += b' ' * (-len(h) % 8)
    with open(path + '.tmp', 'wb') as f:
        f.write(struct.pack('<Q', len(h)) + h + b''.join(blobs))
    os.replace(path + '.tmp', path)


def load_safetensors(path):
    """-> ({name: float32 tensor}, metadata dict). Reads F32 only."""
    try:
        with open(path, 'rb') as f:
            data = f.read()
        n = struct.unpack('<Q', data[:8])[0]
        header = json.loads(data[8:8 + n].decode('utf-8'))
    except (OSError, struct.error, ValueError) as e:
        die(f'cannot read {path} as a safetensors file: {e}')
    meta, tensors = header.pop('__metadata__', None) or {}, {}
    for name, info in header.items():
        try:
            (b, e), shape, dtype = info['data_offsets'], info['shape'], info['dtype']
        except (KeyError, TypeError, ValueError):
            die(f'{path}: malformed header entry for {name}: {info}')
        if dtype != 'F32' or not 0 <= b <= e or e - b != 4 * math.prod(shape) or 8 + n + e > len(data):
            die(f'{path}: tensor {name} is not a well-formed F32 tensor ({info})')
        tensors[name] = torch.from_numpy(np.frombuffer(data, '<f4', (e - b) // 4, 8 + n + b).reshape(shape).copy())
    return tensors, meta


def model_metadata(model, itos, **extra):
    """Model-file metadata: format, vocab, config and tokenizer (JSON strings), plus free extra keys."""
    E, H, Z = model.embedding.embedding_dim, model.encoder_rnn.hidden_size, model.hidden2mean.out_features
    config = dict(embedding=E, hidden=H, latent=Z, latent_to_inputs=bool(model.latent_to_inputs), max_length=60)
    if model.cell != 'gru':                                       # as textvae: the key only for another cell
        config['cell'] = model.cell
    tokenizer = dict(name='whitespace', lowercase=False, normalization='none', locale='en')
    # `producer` keeps the tool's original name: the committed golden files carry it, and `golden` must
    # still write them byte for byte.
    meta = dict(format='textvae/1', producer='torch_ref/svae.py', vocab=json.dumps(itos, ensure_ascii=False),
                config=json.dumps(config), tokenizer=json.dumps(tokenizer))
    meta.update(extra)
    return meta


def load_model(path, vocab_path=None):
    """Model file -> (model in eval mode, vocabulary). Sizes come from tensor shapes; latent-to-inputs is detected
    from decoder_rnn.weight_ih_l0's second dimension (E or E+Z). Vocabulary from --vocab, else metadata "vocab"."""
    t, meta = load_safetensors(path)
    missing = [n for n in TENSORS if n not in t]
    if missing:
        die(f'{path} lacks the tensors {missing} (the tensor names of textvae model files)')
    (V, E), H, Z = t['embedding.weight'].shape, t['encoder_rnn.weight_hh_l0'].shape[1], t['hidden2mean.weight'].shape[0]
    d_in = t['decoder_rnn.weight_ih_l0'].shape[1]
    if d_in not in (E, E + Z):
        die(f'{path}: decoder_rnn.weight_ih_l0 has {d_in} columns, expected E={E} or E+Z={E + Z}')
    cell = 'lstm' if t['encoder_rnn.weight_hh_l0'].shape[0] == 4 * H else 'gru'
    model = SVAE(V, E, H, Z, d_in == E + Z, cell)
    try:
        model.load_state_dict({n: t[n] for n in TENSORS})
    except RuntimeError as e:
        die(f'{path}: tensor shapes do not agree with each other: {e}')
    if vocab_path:
        itos = read_vocab(vocab_path)
    elif 'vocab' in meta:
        itos = json.loads(meta['vocab'])
    else:
        die(f'{path} has no "vocab" in its metadata: pass --vocab VOCAB')
    if len(itos) != V or itos[:4] != SPECIALS:
        die(f'vocabulary ({len(itos)} entries, starting {itos[:4]}) does not fit {path} (V={V}, specials {SPECIALS})')
    return model.eval(), itos


# ----------------------------------------------------------------------------- training
def beta_at(step, a, total_steps):
    """KL weight after `step` optimiser updates (textvae's schedules)."""
    if a.anneal == 'logistic':
        x = -a.k * (step - a.x0)
        return 0.0 if x > 700 else 1.0 / (1.0 + math.exp(x))
    if a.anneal == 'linear':
        return min(1.0, step / a.x0)
    if a.anneal == 'cyclical':
        period = total_steps / a.cycles
        return min(1.0, (step % period) / period / a.ratio)
    return a.beta


def train_step(model, opt, batch, beta, a, gen):
    """One Adam update on loss = mean_b rec_b + beta * sum_j KL_bj (free bits: sum_j max(lambda, mean_b KL_bj))."""
    rec, kl = model(batch, word_dropout=a.word_dropout, gen=gen)
    kl_term = kl.mean(0).clamp(min=a.free_bits).sum() if a.free_bits > 0 else kl.sum(1).mean()
    loss = rec.mean() + beta * kl_term
    opt.zero_grad()
    loss.backward()
    nn.utils.clip_grad_norm_(model.parameters(), a.clip)
    opt.step()
    return rec.detach(), kl.detach().sum(1)


def truncate(seqs, max_len):
    """Training only: keep the first max_len tokens (0 = no cap); <eos> is appended after. -> (seqs, number cut)."""
    if max_len <= 0:
        return seqs, 0
    return [s[:max_len] for s in seqs], sum(len(s) > max_len for s in seqs)


def batches_of(seqs, size):
    return [make_batch(seqs[i:i + size]) for i in range(0, len(seqs), size)]


def cmd_vocab(a):
    itos, counts = build_vocab(read_sentences(a.train), a.min_count, a.max_size)
    write_vocab(a.o, itos, counts)
    print(f'wrote {a.o}: {len(itos)} entries (4 specials + {len(itos) - 4} words)')


def cmd_train(a):
    train_sents = read_sentences(a.train)
    itos, counts = build_vocab(train_sents, a.min_count, a.max_size)
    train, n_trunc = truncate(encode(train_sents, itos), a.max_len)
    valid = encode(read_sentences(a.valid), itos)
    torch.manual_seed(a.seed)                                     # PyTorch's default initialisation, seeded
    model = SVAE(len(itos), a.emb, a.hidden, a.latent, a.latent_to_inputs)
    opt = torch.optim.Adam(model.parameters(), lr=a.lr, betas=(0.9, 0.999), eps=1e-8)
    shuffle, gen = random.Random(a.seed), torch.Generator().manual_seed(a.seed)
    per_epoch = math.ceil(len(train) / a.batch)
    print(f'vocab {len(itos)} | train {len(train)} sentences ({n_trunc} truncated to {a.max_len} tokens) | '
          f'valid {len(valid)} | parameters {sum(p.numel() for p in model.parameters())} | '
          f'threads {torch.get_num_threads()} | torch {torch.__version__}', flush=True)
    step = 0
    for epoch in range(1, a.epochs + 1):
        model.train()
        order = list(range(len(train)))
        shuffle.shuffle(order)
        rec_sum = kl_sum = tokens = 0.0
        t0 = time.perf_counter()
        for i in range(0, len(order), a.batch):
            seqs = [train[j] for j in order[i:i + a.batch]]
            beta = beta_at(step, a, per_epoch * a.epochs)
            rec, kl = train_step(model, opt, make_batch(seqs), beta, a, gen)
            step += 1
            rec_sum, kl_sum = rec_sum + rec.sum().item(), kl_sum + kl.sum().item()
            tokens += sum(len(s) + 1 for s in seqs)               # real targets incl. <eos>, no padding
        dt = time.perf_counter() - t0
        model.eval()
        vr, vk, _, _ = one_sample_pass(model, valid, torch.Generator().manual_seed(a.seed))
        n, m = len(train), len(valid)
        print(f'epoch {epoch} step {step} beta {beta:.4f} | train rec {rec_sum / n:.3f} kl {kl_sum / n:.3f} '
              f'nelbo {(rec_sum + kl_sum) / n:.3f} | valid rec {vr / m:.3f} kl {vk / m:.3f} '
              f'nelbo {(vr + vk) / m:.3f} | {dt:.1f} s, {tokens / dt:.0f} tokens/s', flush=True)
    options = {k: v for k, v in vars(a).items() if k not in ('func', 'o', 'train', 'valid')}
    save_safetensors(a.o, model.state_dict(), model_metadata(model, itos, train_options=json.dumps(options),
                                                              step=step, epoch=a.epochs))
    vocab_path = os.path.splitext(a.o)[0] + '.vocab.txt'
    write_vocab(vocab_path, itos, counts)
    # Round trip through the hand-written reader: tensors bit-identical, score output identical.
    loaded, itos2 = load_model(a.o)
    same = all(torch.equal(p, q) for p, q in zip(model.state_dict().values(), loaded.state_dict().values()))
    probe = valid[:200]
    same_score = score_lines(model, probe) == score_lines(loaded, probe) and itos2 == itos
    print(f'wrote {a.o} and {vocab_path}; re-read: {len(TENSORS)} tensors bit-identical: {same}, '
          f'score of {len(probe)} valid sentences identical: {same_score}')
    if not (same and same_score):
        die('round trip through the model file changed the model')


# ----------------------------------------------------------------------------- scoring and metrics
@torch.no_grad()
def score_lines(model, seqs, batch=64):
    """Per sentence, in file order: {"rec": rec at z = mu, "kl": KL, "tokens": T+1} as JSON lines."""
    out = []
    for b in batches_of(seqs, batch):
        rec, kl = model(b, mean=True)
        out += [json.dumps({'rec': r, 'kl': k, 'tokens': n})
                for r, k, n in zip(rec.tolist(), kl.sum(1).tolist(), (b[3] + 1).tolist())]
    return out


def load_for_scoring(a):
    model, itos = load_model(a.model, a.vocab)
    return (model.double() if a.float64 else model), encode(read_sentences(a.file), itos)


def cmd_score(a):
    model, seqs = load_for_scoring(a)
    lines = score_lines(model, seqs)
    print('\n'.join(lines))
    rows = [json.loads(s) for s in lines]
    n, rec, kl, tok = len(rows), sum(r['rec'] for r in rows), sum(r['kl'] for r in rows), sum(r['tokens'] for r in rows)
    summary = dict(sentences=n, tokens=tok, rec=rec / n, kl=kl / n, nelbo=(rec + kl) / n)
    print(json.dumps({'summary': summary}) if a.json else
          '# ' + '  '.join(f'{k} {v:.6g}' if isinstance(v, float) else f'{k} {v}' for k, v in summary.items()))


def mi_batch(mu, logv, z):
    """He et al. 2019 (calc_mi): mean_i E_q log q(z|x_i) (analytic) - mean_i log (1/B sum_j q(z_i | x_j))."""
    Z = mu.size(1)
    neg_entropy = (-0.5 * Z * LOG2PI - 0.5 * (1 + logv).sum(1)).mean()
    dev = z.unsqueeze(1) - mu.unsqueeze(0)                                         # (B_z,B_x,Z)
    log_dens = -0.5 * (dev.pow(2) / logv.exp().unsqueeze(0)).sum(2) - 0.5 * (Z * LOG2PI + logv.sum(1)).unsqueeze(0)
    log_qz = torch.logsumexp(log_dens, 1) - math.log(mu.size(0))                   # (B_z,)
    return (neg_entropy - log_qz.mean()).item()


@torch.no_grad()
def nll_importance(model, seqs, k, gen, rows):
    """-log (1/k sum_i p(x|z_i) p(z_i) / q(z_i|x)), z_i ~ q(z|x), per sentence; at most `rows` decoder rows a call."""
    out, chunk = [], min(k, rows)
    for b in batches_of(seqs, max(1, rows // k)):
        mu, logv = model.encode(b[0], b[3])
        B, logw = mu.size(0), []
        for start in range(0, k, chunk):
            c = min(chunk, k - start)
            rep = lambda t: t.repeat_interleave(c, 0)                                # sentence-major (B*c, ...)
            eps = torch.randn((B * c, mu.size(1)), generator=gen, dtype=mu.dtype)
            z = rep(mu) + torch.exp(0.5 * rep(logv)) * eps
            log_pxz = -model.token_nll(z, rep(b[1]), rep(b[2]), rep(b[3])).sum(1)
            log_pz = -0.5 * (z.pow(2) + LOG2PI).sum(1)
            log_qz = -0.5 * (eps.pow(2) + rep(logv) + LOG2PI).sum(1)
            logw.append((log_pxz + log_pz - log_qz).view(B, c))
        out += (math.log(k) - torch.logsumexp(torch.cat(logw, 1), 1)).tolist()
    return out


@torch.no_grad()
def one_sample_pass(model, seqs, gen, batch=32):
    """One z ~ q(z|x) per sentence, `batch` consecutive sentences at a time: sums over the file of rec, KL and
    (batch size x He et al.'s MI estimate of the batch), and the posterior means mu (N,Z)."""
    rec = kl = mi = 0.0
    mus = []
    for b in batches_of(seqs, batch):
        mu, logv = model.encode(b[0], b[3])
        z = mu + torch.exp(0.5 * logv) * torch.randn(mu.shape, generator=gen, dtype=mu.dtype)
        rec += model.token_nll(z, b[1], b[2], b[3]).sum().item()
        kl += kl_dims(mu, logv).sum().item()
        mi += mi_batch(mu, logv, z) * mu.size(0)
        mus.append(mu)
    return rec, kl, mi, torch.cat(mus)


def cmd_eval(a):
    model, seqs = load_for_scoring(a)
    gen = torch.Generator().manual_seed(a.seed)
    rec, kl, mi, mus = one_sample_pass(model, seqs, gen, a.mi_batch)
    nll = nll_importance(model, seqs, a.k, gen, a.is_rows)
    mu_var = mus.var(0, correction=1)                         # Cov_x(E_q[z_j]) over the whole file, N-1
    n, tokens = len(seqs), sum(len(s) + 1 for s in seqs)
    r = dict(file=a.file, sentences=n, tokens=tokens, k=a.k, rec=rec / n, kl=kl / n, nelbo=(rec + kl) / n,
             nll=sum(nll) / n, ppl=math.exp(sum(nll) / tokens), mi=mi / n, au=int((mu_var > 0.01).sum()),
             mu_var=mu_var.tolist())
    if a.json:
        print(json.dumps(r))
        return
    cols = ['sentences', 'tokens', 'k', 'rec', 'kl', 'nelbo', 'nll', 'ppl', 'mi', 'au']
    print(' '.join(f'{c:>10}' for c in cols))
    print(' '.join(f'{r[c]:>10.4f}' if isinstance(r[c], float) else f'{r[c]:>10}' for c in cols))


# ----------------------------------------------------------------------------- benchmark
def cmd_bench(a):
    train_sents = read_sentences(a.train)
    itos, _ = build_vocab(train_sents)
    train, _ = truncate(encode(train_sents, itos), a.max_len)
    valid = encode(read_sentences(a.valid), itos)
    torch.manual_seed(a.seed)
    model = SVAE(len(itos), a.emb, a.hidden, a.latent, a.latent_to_inputs)
    opt = torch.optim.Adam(model.parameters(), lr=a.lr)
    order = list(range(len(train)))
    random.Random(a.seed).shuffle(order)
    if len(train) < (a.warmup + a.steps) * a.batch:
        die(f'{a.train} has {len(train)} sentences; bench needs (warmup + steps) x batch = {(a.warmup + a.steps) * a.batch}')
    groups = [[train[j] for j in order[i:i + a.batch]] for i in range(0, (a.warmup + a.steps) * a.batch, a.batch)]
    data, gen = [make_batch(g) for g in groups], torch.Generator().manual_seed(a.seed)
    model.train()
    for i, b in enumerate(data):                                  # batches are built before the clock starts
        if i == a.warmup:
            t0 = time.perf_counter()
        train_step(model, opt, b, beta_at(i, a, len(data)), a, gen)
    train_s = time.perf_counter() - t0
    timed = groups[a.warmup:]
    model.eval()
    zs = torch.randn((1000, a.latent), generator=gen)
    t0 = time.perf_counter()
    for i in range(0, 1000, 100):
        model.greedy(zs[i:i + 100], 60)
    sample_s = time.perf_counter() - t0
    enc = batches_of(valid, 100)
    t0 = time.perf_counter()
    with torch.no_grad():
        for b in enc:
            model.encode(b[0], b[3])
    encode_s = time.perf_counter() - t0
    print(json.dumps(dict(train_tokens_per_s=round(sum(len(s) + 1 for g in timed for s in g) / train_s, 1),
                          train_sentences_per_s=round(sum(map(len, timed)) / train_s, 1),
                          sample_sentences_per_s=round(1000 / sample_s, 1),
                          encode_sentences_per_s=round(len(valid) / encode_s, 1),
                          threads=torch.get_num_threads(), torch=torch.__version__)))


# ----------------------------------------------------------------------------- golden files and self-checks
GOLDEN_TEXT = ['the cat sat on the mat', 'a dog ran <unk>', 'cat']   # T = 6, 4, 1; 8 word types -> V = 12
GOLDEN_BETA = 0.5
CONVENTIONS = {
    'loss': 'mean over the 3 sentences of (rec_at_sample + beta * kl), beta = 0.5; rec sums token NLL incl. <eos>',
    'rec': '-sum_{t=1..T+1} log softmax(outputs2vocab(h_t))[target_t] (natural log)',
    'kl': '0.5 * sum_j (mu_j^2 + exp(logv_j) - logv_j - 1)',
    'encoder': 'GRU over the T token embeddings (no <bos>/<eos>), h0 = 0; mu = hidden2mean(h_T), logv = hidden2logv(h_T)',
    'latent': 'z = mu + exp(0.5 * logv) * eps with eps from "eps" (rec_at_sample), or z = mu (rec_at_mean)',
    'decoder': 'h0 = latent2hidden(z), no activation; inputs = embedding(<bos>, x_1..x_T) (concatenated with z '
               'when latent_to_inputs: [emb; z]); targets = x_1..x_T, <eos>',
    'gru': 'PyTorch nn.GRU, rows of weight_ih/weight_hh in blocks r, z, n; n = tanh(W_in x + b_in + r*(W_hn h + b_hn))',
    'word_dropout': 'off',
    'precision': 'weights drawn in float64, rounded to float32 (model.safetensors holds them exactly); all maths in '
                 'float64; golden.json numbers are float64; grads.safetensors holds float64 gradients rounded to float32',
    'grads': 'grads.safetensors: d loss / d parameter for every tensor of model.safetensors, same names and shapes',
}
LSTM_CONVENTION = ('PyTorch nn.LSTM, rows of weight_ih/weight_hh in blocks i, f, g, o; c = f*c + i*g, h = o*tanh(c); '
                   'every c starts at 0')


# The golden cases: (folder under the golden directory, latent_to_inputs, cell).
GOLDEN_CASES = (('', False, 'gru'), ('latent_to_inputs', True, 'gru'), ('lstm', True, 'lstm'))


def golden_case(seed, lti, cell='gru'):
    """Tiny float64 model (V=12, E=5, H=4, Z=3), its batch and eps; weights U(-0.5, 0.5) rounded to float32."""
    toks = [s.split() for s in GOLDEN_TEXT]
    itos, counts = build_vocab(toks)
    gen = torch.Generator().manual_seed(seed)
    model = SVAE(len(itos), 5, 4, 3, lti, cell).double()
    with torch.no_grad():
        for p in model.parameters():                              # model-file order
            p.copy_((torch.rand(p.shape, generator=gen, dtype=torch.float64) - 0.5).float().double())
    eps = (torch.randn((3, 3), generator=gen, dtype=torch.float64) * 16).round() / 16   # dyadic: exact everywhere
    return model, itos, counts, make_batch(encode(toks, itos)), eps


def golden_loss(model, batch, eps, params=None):
    """mean_b (rec_b + beta * KL_b) with the given eps; `params` (for gradcheck) stand in for the model's tensors."""
    rec, kl = (model(batch, eps=eps) if params is None else
               torch.func.functional_call(model, dict(zip(TENSORS, params)), (batch,), {'eps': eps}))
    return (rec + GOLDEN_BETA * kl.sum(1)).mean()


def write_golden(out, seed, lti, cell='gru'):
    os.makedirs(out, exist_ok=True)
    model, itos, counts, batch, eps = golden_case(seed, lti, cell)
    x, dec_in, tgt, lens = batch
    mu, logv = model.encode(x, lens)
    z = mu + torch.exp(0.5 * logv) * eps
    loss = golden_loss(model, batch, eps)
    grads = torch.autograd.grad(loss, list(model.parameters()))
    with torch.no_grad():
        nll_mean, nll_sample = model.token_nll(mu, dec_in, tgt, lens), model.token_nll(z, dec_in, tgt, lens)
    cut = lambda m: [row[:n + 1] for row, n in zip(m.tolist(), lens.tolist())]
    conventions, sizes = dict(CONVENTIONS), dict(V=len(itos), E=5, H=4, Z=3, latent_to_inputs=lti)
    if cell == 'lstm':                                            # the GRU cases' files stay as they were
        del conventions['gru']
        conventions.update(encoder=conventions['encoder'].replace('GRU', 'LSTM') + ' (c0 = 0)',
                           decoder=conventions['decoder'] + '; an LSTM\'s c0 = 0', lstm=LSTM_CONVENTION)
        sizes['cell'] = cell
    g = dict(generated_by=f'svae.py golden --seed {seed} (do not edit; regenerate)', conventions=conventions,
             sizes=sizes, vocab=itos, beta=GOLDEN_BETA,
             sentences=[dict(text=t, ids=s[:n], decoder_inputs=d[:n + 1], targets=y[:n + 1]) for t, s, d, y, n in
                        zip(GOLDEN_TEXT, x.tolist(), dec_in.tolist(), tgt.tolist(), lens.tolist())],
             eps=eps.tolist(), mu=mu.tolist(), logv=logv.tolist(), z=z.tolist(),
             rec_at_mean=nll_mean.sum(1).tolist(), kl=kl_dims(mu, logv).sum(1).tolist(),
             rec_at_sample=nll_sample.sum(1).tolist(), loss=loss.item(),
             token_nll_at_mean=cut(nll_mean), token_nll_at_sample=cut(nll_sample))
    dump = lambda v: json.dumps(v, ensure_ascii=False)
    with open(os.path.join(out, 'golden.json'), 'w', encoding='utf-8') as f:   # one line per key: short diffs
        f.write('{\n' + ',\n'.join(f' {dump(k)}: ' + (dump(v) if k != 'conventions' else '{\n' + ',\n'.join(
            f'  {dump(c)}: {dump(s)}' for c, s in v.items()) + '}') for k, v in g.items()) + '\n}\n')
    with open(os.path.join(out, 'batch.txt'), 'w', encoding='utf-8') as f:
        f.writelines(s + '\n' for s in GOLDEN_TEXT)
    write_vocab(os.path.join(out, 'vocab.txt'), itos, counts)
    save_safetensors(os.path.join(out, 'model.safetensors'), model.state_dict(), model_metadata(model, itos))
    save_safetensors(os.path.join(out, 'grads.safetensors'), dict(zip(TENSORS, grads)),
                     dict(what='gradient of golden.json "loss" w.r.t. each tensor of model.safetensors'))
    return g


def cmd_golden(a):
    for sub, lti, cell in GOLDEN_CASES:
        g = write_golden(os.path.join(a.out, sub), a.seed, lti, cell)
        print(f'wrote {os.path.join(a.out, sub)}: loss {g["loss"]:.10f} rec_at_mean {g["rec_at_mean"]}')


def spec_equations(model, batch, eps):
    """The model's formulas written out one sentence and one step at a time (float64), independent of nn.GRU/packing:
    -> (rec_at_mean, kl, rec_at_sample) per sentence."""
    P = {n: p.detach() for n, p in model.state_dict().items()}
    H = P['encoder_rnn.weight_hh_l0'].shape[1]

    def gru(pre, x, h):
        gi = P[f'{pre}.weight_ih_l0'] @ x + P[f'{pre}.bias_ih_l0']
        gh = P[f'{pre}.weight_hh_l0'] @ h + P[f'{pre}.bias_hh_l0']
        r, u = torch.sigmoid(gi[:H] + gh[:H]), torch.sigmoid(gi[H:2 * H] + gh[H:2 * H])
        n = torch.tanh(gi[2 * H:] + r * gh[2 * H:])
        return (1 - u) * n + u * h

    def lstm(pre, x, state):
        h, c = state
        a = P[f'{pre}.weight_ih_l0'] @ x + P[f'{pre}.bias_ih_l0'] + P[f'{pre}.weight_hh_l0'] @ h + P[f'{pre}.bias_hh_l0']
        i, f, g, o = torch.sigmoid(a[:H]), torch.sigmoid(a[H:2 * H]), torch.tanh(a[2 * H:3 * H]), torch.sigmoid(a[3 * H:])
        c = f * c + i * g
        return o * torch.tanh(c), c

    def step(pre, x, state):                                     # state: h (GRU) or (h, c) (LSTM)
        return lstm(pre, x, state) if model.cell == 'lstm' else gru(pre, x, state)

    def top(state):
        return state[0] if model.cell == 'lstm' else state

    def start(h):
        return (h, torch.zeros_like(h)) if model.cell == 'lstm' else h

    def rec(z, ids):
        s, total = start(P['latent2hidden.weight'] @ z + P['latent2hidden.bias']), 0.0
        for inp, y in zip([BOS] + ids, ids + [EOS]):
            e = P['embedding.weight'][inp]
            s = step('decoder_rnn', torch.cat([e, z]) if model.latent_to_inputs else e, s)
            total -= torch.log_softmax(P['outputs2vocab.weight'] @ top(s) + P['outputs2vocab.bias'], 0)[y]
        return total.item()

    out = []
    for row, n, e in zip(batch[0].tolist(), batch[3].tolist(), eps):
        ids, s = row[:n], start(torch.zeros(H, dtype=torch.float64))
        for t in ids:
            s = step('encoder_rnn', P['embedding.weight'][t], s)
        h = top(s)
        mu, logv = P['hidden2mean.weight'] @ h + P['hidden2mean.bias'], P['hidden2logv.weight'] @ h + P['hidden2logv.bias']
        kl = 0.5 * (mu ** 2 + logv.exp() - logv - 1).sum().item()
        out.append((rec(mu, ids), kl, rec(mu + torch.exp(0.5 * logv) * e, ids)))
    return out


def cmd_selfcheck(a):
    ok = True

    def report(name, passed, detail=''):
        nonlocal ok
        ok &= bool(passed)
        print(f'{"PASS" if passed else "FAIL"}  {name}  {detail}')

    with tempfile.TemporaryDirectory() as d1, tempfile.TemporaryDirectory() as d2:
        for d, (sub, lti, cell) in ((d, case) for d in (d1, d2) for case in GOLDEN_CASES):
            write_golden(os.path.join(d, sub), a.seed, lti, cell)
        files = sorted(os.path.relpath(os.path.join(r, f), d1) for r, _, fs in os.walk(d1) for f in fs)
        same = all(filecmp.cmp(os.path.join(d1, f), os.path.join(d2, f), shallow=False) for f in files)
        report('golden twice -> byte-identical files', same, f'({len(files)} files)')
        for sub, lti, cell in GOLDEN_CASES:
            model, itos, _, batch, eps = golden_case(a.seed, lti, cell)
            d, case = os.path.join(d1, sub), f'(latent_to_inputs={lti}, {cell})'
            with open(os.path.join(d, 'golden.json'), encoding='utf-8') as f:
                g = json.load(f)
            params = [p.detach().clone().requires_grad_() for p in model.parameters()]
            gc = torch.autograd.gradcheck(lambda *ps: golden_loss(model, batch, eps, ps), params,
                                          eps=1e-6, atol=1e-7, rtol=1e-5, raise_exception=False)
            report(f'gradcheck float64 {case}', gc, f'({sum(p.numel() for p in params)} parameters)')
            err = max(max(abs(r - g['rec_at_mean'][i]), abs(k - g['kl'][i]), abs(s - g['rec_at_sample'][i]))
                      for i, (r, k, s) in enumerate(spec_equations(model, batch, eps)))
            report(f'model equations step by step == golden.json {case}', err < 1e-12, f'(max |diff| {err:.1e})')
            tensors, meta = load_safetensors(os.path.join(d, 'model.safetensors'))
            same = all(torch.equal(tensors[n], p.detach().float()) for n, p in zip(TENSORS, model.parameters()))
            report(f'model.safetensors read back by hand == weights {case}', same and json.loads(meta['vocab']) == itos)
            m32 = model.float()                                   # what a float32 implementation can expect
            loss32 = golden_loss(m32, batch, eps.float())
            grads, _ = load_safetensors(os.path.join(d, 'grads.safetensors'))
            gerr = max(((u - grads[n]).abs().max() / grads[n].abs().max()).item()
                       for n, u in zip(TENSORS, torch.autograd.grad(loss32, list(m32.parameters()))))
            print(f'INFO  float32 torch vs golden {case}: loss rel diff {abs(loss32.item() / g["loss"] - 1):.1e}, '
                  f'grads max |diff| / max |grad| per tensor {gerr:.1e}')
        try:
            from safetensors import safe_open
            path = os.path.join(d1, 'latent_to_inputs', 'model.safetensors')
            ref, _ = load_safetensors(path)
            with safe_open(path, 'pt') as sf:
                same = sorted(sf.keys()) == sorted(ref) and all(torch.equal(sf.get_tensor(k), ref[k]) for k in ref)
                same &= json.loads(sf.metadata()['vocab']) == itos
            report('the safetensors package reads our file identically', same)
        except ImportError:
            print('SKIP  the safetensors package is not installed (pip install safetensors to check the format with it)')
    itos, counts = build_vocab([['b', 'a', '<unk>', 'c', 'b', 'a', '<unk>', 'é', 'Z']], min_count=1, max_size=4)
    report('vocabulary rules (ties by code point, <unk> once, max-size)', itos == SPECIALS + ['a', 'b', 'Z', 'c']
           and counts == [0, 0, 0, 0, 2, 2, 1, 1], str(itos[4:]))
    sys.exit(0 if ok else 1)


# ----------------------------------------------------------------------------- command line
def main():
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument('--seed', type=int, default=0, help='seeds initialisation, shuffling, eps, dropout')
    common.add_argument('--threads', type=int, default=DEFAULT_THREADS, help='torch CPU threads')
    config = argparse.ArgumentParser(add_help=False)
    for flag, typ, default, help in [
            ('--emb', int, 300, 'E'), ('--hidden', int, 256, 'H'), ('--latent', int, 16, 'Z'),
            ('--batch', int, 32, 'sentences per update'), ('--lr', float, 1e-3, 'Adam learning rate'),
            ('--clip', float, 5.0, 'gradient norm cap'), ('--word-dropout', float, 0.25, 'p of <unk> replacement'),
            ('--k', float, 0.0025, 'logistic slope'), ('--x0', float, 2500, 'logistic midpoint / linear length (steps)'),
            ('--cycles', int, 4, 'cyclical: M'), ('--ratio', float, 0.5, 'cyclical: R'),
            ('--beta', float, 1.0, 'constant: beta'), ('--free-bits', float, 0.0, 'lambda (0 = off)'),
            ('--max-len', int, 60, 'training sentences cut to this many tokens (0 = no cap)')]:
        config.add_argument(flag, type=typ, default=default, help=help)
    config.add_argument('--anneal', choices=['logistic', 'linear', 'cyclical', 'constant'], default='logistic')
    config.add_argument('--latent-to-inputs', action='store_true', help='concatenate z to every decoder input')
    vocab_opts = argparse.ArgumentParser(add_help=False)
    vocab_opts.add_argument('--min-count', type=int, default=1, help='least count a word needs')
    vocab_opts.add_argument('--max-size', type=int, default=20000, help='most words kept, not counting the 4 specials')
    scoring = argparse.ArgumentParser(add_help=False)
    scoring.add_argument('-m', '--model', required=True, help='safetensors model file (textvae layout)')
    scoring.add_argument('--vocab', help='vocabulary file (default: the model\'s "vocab" metadata)')
    scoring.add_argument('--json', action='store_true', help='machine-readable output')
    scoring.add_argument('--float64', action='store_true', help='compute in float64 (weights are float32 in the file)')
    scoring.add_argument('file', help='sentences, one per line, whitespace-tokenised')

    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest='command', required=True)

    def command(name, func, parents, help, files=()):
        s = sub.add_parser(name, parents=[common] + parents, help=help, description=help,
                           formatter_class=argparse.ArgumentDefaultsHelpFormatter)
        for flag in files:
            s.add_argument(flag, required=True)
        s.set_defaults(func=func)
        return s

    command('vocab', cmd_vocab, [vocab_opts], 'build a textvae vocabulary file', ['--train', '-o'])
    command('train', cmd_train, [config, vocab_opts], 'train; writes MODEL and MODEL-stem.vocab.txt',
            ['--train', '--valid', '-o']).add_argument('--epochs', type=int, default=10)
    command('score', cmd_score, [scoring], 'per-sentence rec at z = mu, and KL')
    s = command('eval', cmd_eval, [scoring], 'rec, kl, nelbo, nll, ppl, mi, au')
    s.add_argument('-k', type=int, default=500, help='importance samples per sentence')
    s.add_argument('--mi-batch', type=int, default=32, help='sentences per batch for rec, kl and the MI estimate')
    s.add_argument('--is-rows', type=int, default=250, help='decoder rows per call in importance sampling')
    s = command('bench', cmd_bench, [config], 'time training, sampling and encoding', ['--train', '--valid'])
    s.add_argument('--warmup', type=int, default=20, help='untimed training steps')
    s.add_argument('--steps', type=int, default=200, help='timed training steps')
    command('golden', cmd_golden, [], 'tiny fixed model, batch, losses and gradients for unit tests', ['--out'])
    command('selfcheck', cmd_selfcheck, [], 'golden determinism, gradcheck, model equations, file format')
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    a.func(a)


if __name__ == '__main__':
    main()
