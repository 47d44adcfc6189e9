"""Sentences for the merge tests."""

# Sentences that share words, actors and amounts in many ways, a few without content words.
SENTENCES = [
    "Iran and Iraq signed a border treaty in Baghdad after long talks.",
    "Iraq and Iran signed the border treaty in Baghdad.",
    "The border treaty between Iran and Iraq was signed after talks in Baghdad.",
    "Kim Jong Un crossed the border by armoured train for talks.",
    "The armoured train of Kim Jong Un crossed the border.",
    "Russia said the talks on the border treaty would resume.",
    "Prices rose 4.5 percent as the central bank raised rates.",
    "Prices rose 2.1 percent as the central bank raised rates.",
    "The central bank raised rates and prices rose.",
    "The earthquake killed 73,000 people in Kashmir.",
    "More than 73,000 people died in the Kashmir earthquake.",
    "Talks.",
    "On Monday.",
    "on monday.",
    "It was then.",
]
