// A corpus with planted structure: `topics` groups of `words` words; each sentence draws its
// words from one group, so a trained model's nearest neighbours of a group's word are the
// group's other words. Deterministic (a fixed linear congruential generator).

export function topicWord(t, i) {
  return `t${t}w${i}`;
}

export function plantedCorpus({ topics = 8, words = 20, sentences = 30000, length = 12 } = {}) {
  let state = 12345;
  const next = (n) => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return (state >>> 8) % n;
  };
  const lines = [];
  for (let s = 0; s < sentences; s++) {
    const t = next(topics);
    const line = [];
    for (let k = 0; k < length; k++) line.push(topicWord(t, next(words)));
    lines.push(line.join(' '));
  }
  return `${lines.join('\n')}\n`;
}
