#!/usr/bin/env python3
"""Write a tiny random-weight Llama in Hugging Face format, for vLLM on CPU.

Spec: shared/spec/test-server.md, Appendix B.2. No download: the tokenizer is trained in-process.

    make_tiny_hf.py OUT_DIR [--ctx N] [--eos-logit X]

* Head size 64 (hidden 128, 2 heads): vLLM's CPU attention rejects smaller heads
  ("Unsupported CPU attention configuration: head_dim=16 isa=2").
* Residual-channel trick: channel 0 of the residual stream is a constant 8.0 (embeddings) that no
  layer writes to (row 0 of every o_proj / down_proj is zero), so after the final RMSNorm column 0
  of lm_head is a fixed per-token bias: 0 for printable tokens, -20 for tokens that must never be
  generated (special tokens, anything that is not printable ASCII or newline). Replies are
  therefore printable ASCII gibberish and always valid UTF-8.
* EOS weighting: lm_head[eos, 0] = --eos-logit (default 0.8) so replies end by themselves; a
  negative value such as -20 gives a model that never stops.

Run it with the vLLM venv's python (torch, transformers and tokenizers are there).
"""
import argparse
import os
import sys

import torch
from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
from transformers import LlamaConfig, LlamaForCausalLM, PreTrainedTokenizerFast

# ChatML-like, plain text, no special tokens needed. One user message "Say hello" renders as
# "<|user|>\nSay hello\n<|assistant|>\n". Non-string content (None on an assistant message that
# only carries tool_calls) renders as empty text instead of failing the template.
CHAT_TEMPLATE = (
    "{% for message in messages %}"
    "{{ '<|' + message['role'] + '|>\n' }}"
    "{% if message['content'] is string %}{{ message['content'] }}{% endif %}"
    "{{ '\n' }}"
    "{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|assistant|>\n' }}{% endif %}"
)

CORPUS_LINES = [
    "hello world this is a tiny test model for an openai compatible server",
    "the quick brown fox jumps over the lazy dog",
    "user assistant system say hello stream tokens chat completion",
]


def build_tokenizer(ctx):
    tok = Tokenizer(models.BPE())  # no unknown token: byte-level covers every input
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=512,
        special_tokens=["<s>", "</s>", "<pad>"],
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    corpus = [line for line in CORPUS_LINES for _ in range(50)]
    tok.train_from_iterator(corpus, trainer=trainer)
    fast = PreTrainedTokenizerFast(
        tokenizer_object=tok,
        bos_token="<s>",
        eos_token="</s>",
        pad_token="<pad>",
        model_max_length=ctx,
    )
    fast.chat_template = CHAT_TEMPLATE
    return fast


def printable(text):
    return bool(text) and all(c == "\n" or 32 <= ord(c) <= 126 for c in text)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out_dir")
    ap.add_argument("--ctx", type=int, default=2048, help="max position embeddings (default 2048)")
    ap.add_argument("--eos-logit", type=float, default=0.8, help="EOS bias (default 0.8)")
    args = ap.parse_args(argv)

    os.makedirs(args.out_dir, exist_ok=True)
    tokenizer = build_tokenizer(args.ctx)
    vocab = len(tokenizer)

    config_kwargs = dict(
        vocab_size=vocab,
        hidden_size=128,
        intermediate_size=256,
        num_hidden_layers=2,
        num_attention_heads=2,
        num_key_value_heads=2,
        head_dim=64,
        max_position_embeddings=args.ctx,
        bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id,
        tie_word_embeddings=False,
    )
    try:
        config = LlamaConfig(**config_kwargs, dtype="float32")  # transformers >= 4.56 / 5.x
    except TypeError:
        config = LlamaConfig(**config_kwargs, torch_dtype="float32")

    torch.manual_seed(0)
    model = LlamaForCausalLM(config).to(torch.float32)

    special_ids = set(tokenizer.all_special_ids)
    eos_id = tokenizer.eos_token_id
    with torch.no_grad():
        emb = model.model.embed_tokens.weight
        emb.normal_(mean=0.0, std=1.0)
        emb[:, 0] = 8.0
        lm = model.lm_head.weight
        lm.normal_(mean=0.0, std=0.5)
        lm[:, 0] = 0.0
        for layer in model.model.layers:
            layer.self_attn.o_proj.weight[0, :] = 0.0
            layer.mlp.down_proj.weight[0, :] = 0.0
        for token_id in range(vocab):
            text = tokenizer.decode([token_id])
            if token_id in special_ids or not printable(text):
                lm[token_id, 0] = -20.0
        lm[eos_id, 0] = args.eos_logit

    model.save_pretrained(args.out_dir, safe_serialization=True)
    tokenizer.save_pretrained(args.out_dir)
    print(f"wrote {args.out_dir} vocab {vocab}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
