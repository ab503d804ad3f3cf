//! The text fields' tokenizer: Elasticsearch's `standard` one, with core's `text` words
//! (Unicode word boundaries, pieces of at most 255 characters), lowercased by the
//! analyzer built in `schema::tokenizers`. Words are read as the index asks for them,
//! into one token whose text is reused.

use tantivy::tokenizer::{Token, TokenStream, Tokenizer};

#[derive(Clone, Default)]
pub(crate) struct StandardTokenizer {
    token: Token,
}

pub(crate) struct StandardTokens<'a> {
    words: Box<dyn Iterator<Item = (usize, &'a str)> + 'a>,
    token: &'a mut Token,
}

impl Tokenizer for StandardTokenizer {
    type TokenStream<'a> = StandardTokens<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> StandardTokens<'a> {
        self.token.reset();
        StandardTokens {
            words: Box::new(logdash_core::text::word_spans(text)),
            token: &mut self.token,
        }
    }
}

impl TokenStream for StandardTokens<'_> {
    fn advance(&mut self) -> bool {
        let Some((offset, word)) = self.words.next() else {
            return false;
        };
        self.token.position = self.token.position.wrapping_add(1);
        self.token.offset_from = offset;
        self.token.offset_to = offset + word.len();
        self.token.text.clear();
        self.token.text.push_str(word);
        true
    }

    fn token(&self) -> &Token {
        self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        self.token
    }
}
