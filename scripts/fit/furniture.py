#!/usr/bin/env python3
"""Fit the furniture classifier's weights (src/furniture/mod.rs: LOCAL, CORPUS, CONTEXT).

    <venv>/bin/python scripts/fit/furniture.py [--data DIR]

Needs numpy and scikit-learn (scripts/fit/requirements.txt); reads
../shared/data/boilerplate-sites-en (research-only: read in place, never
copied) and the seeds. It re-implements the Rust features in Python on the
data's lines (the Rust side works on segments, which join hard-wrapped lines;
on these pages the two nearly always coincide), then fits two logistic
regressions weighted by non-whitespace bytes:

  stage 1: the segment's own features + corpus counts (the cue-phrase weight
           is fixed at 4.0: such phrases are too rare in the data to fit);
  stage 2: stage-1 scores of the segment and its neighbours, and its place
           against the main block of text and in the document.

Training pages: every site of boilerplate-sites-en except the held-out ones
(cnn-*, nypost-*, tv.msnbc.com_news), plus seeds 001-004 with their furniture
lines labelled by hand (weight x5; seed 000 is one line, so it is left out).
It prints byte P/R/F1 per threshold on FIT and HELD-OUT lines, then the
weights to paste into src/furniture/mod.rs. Two parts of the Rust model are set by
hand and not fitted here: the cue-phrase weight (above) and INTERIOR, the
discount of a furniture-like run between two paragraphs of the main block
(src/furniture/context.rs). scripts/eval/boilerplate_sites.py then
measures the Rust implementation itself.
"""
import json, re, math, collections, sys
import numpy as np
from sklearn.linear_model import LogisticRegression

from pathlib import Path
ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT.parent / 'shared' / 'data' / 'boilerplate-sites-en' / 'docs.jsonl'
HOLD = lambda s: s.startswith('cnn-') or s.startswith('nypost-') or s == 'tv.msnbc.com_news'
WORD = re.compile(r'[^\W_]+')

def nltk_dir():
    # The NLTK lists the Rust crate `stop-words` embeds, from cargo's registry.
    import glob
    found = sorted(glob.glob(str(Path.home() / '.cargo/registry/src/*/stop-words-0.9.0/src/nltk')))
    if not found:
        sys.exit('stop-words 0.9.0 not in the cargo registry: run `cargo fetch` first')
    return Path(found[-1])

LANGS = {}
for name in ['english', 'french', 'german', 'spanish', 'italian', 'portuguese', 'dutch']:
    ws = set()
    for w in open(nltk_dir() / name, encoding='utf-8').read().split('\n'):
        w = w.strip().lower()
        if w and len(WORD.findall(w)) == 1:
            ws.add(w)
    LANGS[name] = ws



CUES = [c.split() for c in '''leave a reply|leave a comment|you may also like|you might also like|share this|please wait|advertisement|all rights reserved|privacy policy|terms of use|terms of service|related stories|related articles|follow us|skip to content|your email address will not be published|required fields are marked|akismet|publicité|participer à la discussion|votre adresse e mail ne sera pas publiée|champs obligatoires|à lire aussi|tous droits réservés|mentions légales|politique de confidentialité|vous aimerez aussi|laisser un commentaire|werbung|publicidad|pubblicità'''.split('|')]
def has_cue(ws):
    for c in CUES:
        L = len(c)
        for i in range(len(ws) - L + 1):
            if ws[i:i+L] == c: return True
    return False

def words(t):
    return WORD.findall(t.lower())


def has_sentence_end(t):
    return re.search(r'[.!?…](\s|["\'»”’)\]]|$)', t) is not None


def load():
    docs = [json.loads(l) for l in open(DATA)]
    return docs


def units(doc):
    text = doc['text']
    out = []
    pos = 0
    b = text.encode()
    lines = text.split('\n')
    off = 0
    for i, line in enumerate(lines):
        lb = line.encode()
        if line.strip():
            out.append(dict(line=line, start=off, end=off + len(lb), label=doc['line_labels'][i] if i < len(doc['line_labels']) else 'content'))
        off += len(lb) + 1
    return out


def key(ws):
    return ' '.join(ws)


def tkey(ws):
    # Like template_key in src/doc/chars.rs: a template keeps at least 2 words.
    kept = [w for w in ws if not any(c.isdigit() for c in w)]
    return ' '.join(kept) if len(kept) >= 2 else None


def features(docs):
    df = collections.Counter(); tdf = collections.Counter()
    per = []
    for d in docs:
        us = units(d)
        ks = set(); tks = set()
        for u in us:
            u['w'] = words(u['line'])
            u['k'] = key(u['w']); u['tk'] = tkey(u['w'])
            ks.add(u['k']); tks.add(u['tk'])
        df.update(ks); tdf.update(tks)
        per.append(us)
    rows = []
    for d, us in zip(docs, per):
        allw = [w for u in us for w in u['w']]
        lang = max(LANGS, key=lambda l: sum(w in LANGS[l] for w in allw))
        sw = LANGS[lang]
        n = len(us)
        total = max(1, sum(u['end'] - u['start'] for u in us))
        cnt = collections.Counter(u['k'] for u in us)
        acc = 0
        for i, u in enumerate(us):
            t = u['line']; ws = u['w']; nw = len(ws)
            ns = [c for c in t if not c.isspace()]
            nns = max(1, len(ns))
            punct = sum(1 for c in ns if not c.isalnum()) / nns
            digit = sum(1 for c in ns if c.isdigit()) / nns
            owords = WORD.findall(t)
            caps = sum(1 for w in owords if w[0].isupper()) / max(1, len(owords))
            stop = sum(1 for w in ws if w in sw) / max(1, nw)
            low = t.lower()
            pass
            f = dict(
                logw=math.log1p(nw),
                w1=float(nw <= 1), w3=float(nw <= 3), w6=float(nw <= 6), w10=float(nw <= 10), w20=float(nw <= 20),
                stop=stop, stop_lo=float(stop < 0.2 and nw > 3),
                sent=float(has_sentence_end(t)),
                endp=float(bool(re.search(r'[.!?…]["\'»”’)\]]*$', t.strip()))),
                punct=punct, digit=digit, caps=caps,
                df2=float(df[u['k']] >= 2), ldf=math.log(df[u['k']]),
                tdf2=float(u['tk'] is not None and tdf[u['tk']] >= 2 and u['tk'] != u['k']),
                cue=float(has_cue(ws) and nw <= 40),
                                sep=float(any(c in t for c in '|»›·•©')),
            )
            acc += u['end'] - u['start']
            nb = sum(1 for c in ns if not c.isspace())
            u['pos'] = (acc - (u['end'] - u['start'])) / total
            rows.append((d['site'], d['id'], i, f, u['label'] == 'boilerplate', nb, u))
    return rows


def byte_prf(rows, pred):
    tp = fp = fn = 0
    for r, p in zip(rows, pred):
        nb = r[5]
        if p and r[4]: tp += nb
        elif p: fp += nb
        elif r[4]: fn += nb
    P = tp / max(1, tp + fp); R = tp / max(1, tp + fn)
    return P, R, 2 * P * R / max(1e-9, P + R)


# 1 = furniture, 0 = content, None = not used for fitting
import glob, os
BP = ['0 Commentaires', 'Participer à la Discussion', 'Leave a Reply', 'Votre adresse e-mail', 'Ce site utilise Akismet', 'Publicité', 'You may also like', 'Leave a Comment']
SKIP = ['Home Actualit', 'by Sara', 'Syrie, Russie']
def seed_docs():
    out = []
    for f in sorted(glob.glob(str(ROOT / 'seeds' / '*.txt'))):
        if f.endswith('000_c233721fa56c1613.txt'): continue
        t = open(f, encoding='utf-8').read()
        labels = []
        for line in t.split('\n'):
            if any(line.startswith(b) for b in BP): labels.append('boilerplate')
            elif any(line.startswith(b) for b in SKIP): labels.append('skip')
            else: labels.append('content')
        out.append(dict(text=t, line_labels=labels, site='seeds', id=os.path.basename(f)))
    return out


CUE_W = 4.0
import glob, os
rows = features(load() + seed_docs())
names = list(rows[0][3].keys())
X = np.array([[r[3][k] for k in names] for r in rows]); y = np.array([r[4] for r in rows]); wt = np.array([r[5] for r in rows], float)
hold = np.array([HOLD(r[0]) for r in rows])
wt = np.where(np.array([r[6]['label']=='skip' for r in rows]), 0.0, wt)
wt = np.where(np.array([r[0]=='seeds' for r in rows]), wt*5, wt)
ci = names.index('cue'); cue = X[:, ci].copy(); X[:, ci] = 0
m = LogisticRegression(C=1.0, max_iter=3000); m.fit(X[~hold], y[~hold], sample_weight=wt[~hold])
X[:, ci] = cue; m.coef_[0][ci] = CUE_W
def stage2(rows, z):
    docs = collections.OrderedDict()
    for i, r in enumerate(rows): docs.setdefault(r[1], []).append(i)
    F2 = np.zeros((len(rows), 9))
    for d, idx in docs.items():
        zz = z[idx]; n = len(idx)
        nb = np.array([rows[i][5] for i in idx], float)
        s = np.where(zz < 0, nb, -nb)
        best = (-1e18, 0, 0); cur = 0; st = 0
        for j in range(n):
            if cur <= 0: cur = 0; st = j
            cur += s[j]
            if cur > best[0]: best = (cur, st, j)
        _, a, b = best
        for j in range(n):
            prev = zz[j-1] if j > 0 else 3.0
            nxt = zz[j+1] if j+1 < n else 3.0
            w3 = zz[max(0,j-3):j+4].mean()
            inb = float(a <= j <= b)
            dist = 0 if inb else min(abs(j-a), abs(j-b))
            pos = rows[idx[j]][6]['pos']
            F2[idx[j]] = [zz[j], prev, nxt, w3, float(j < a), float(j > b), math.log1p(dist), float(pos < 0.1), float(pos > 0.9)]
    return F2
F2 = stage2(rows, m.decision_function(X))
print('cue units', int(cue.sum()), 'bp share', (y*cue).sum()/cue.sum(), 'bytes content', sum(r[5] for r,c in zip(rows,cue) if c and not r[4]))
for r,c in zip(rows,cue):
    if c and not r[4] and r[0]!='seeds': print('   cue-content:', r[6]['line'][:100])
m2 = LogisticRegression(C=1.0, max_iter=3000); m2.fit(F2[~hold], y[~hold], sample_weight=wt[~hold])
p = m2.predict_proba(F2)[:,1]
for t in [0.5,0.6,0.7,0.8,0.85,0.9]:
    pred = p > t
    print('stage2', t, 'fit', ['%.3f'%v for v in byte_prf([r for r,h in zip(rows,hold) if not h], pred[~hold])], 'hold', ['%.3f'%v for v in byte_prf([r for r,h in zip(rows,hold) if h], pred[hold])], 'all', ['%.3f'%v for v in byte_prf(rows, pred)])
print(list(zip(names, m.coef_[0].round(3))), m.intercept_.round(3)); print(m2.coef_.round(3), m2.intercept_.round(3))
