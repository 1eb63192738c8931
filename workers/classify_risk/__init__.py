"""The classify-risk worker: lexicon, classifier and routing policy for risky questions and answers."""
