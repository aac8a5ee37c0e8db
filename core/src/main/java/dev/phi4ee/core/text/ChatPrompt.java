package dev.phi4ee.core.text;

import dev.phi4ee.core.api.ContentPart;
import java.util.List;

/**
 * A rendered chat prompt: the token ids, with one placeholder id per image or audio item, and the media parts in
 * the order their placeholders appear ({@code placeholderCounts[i]} placeholders for {@code mediaParts.get(i)}, e.g.
 * one per PDF page). The runtime later expands each placeholder into the item's feature rows (§9).
 */
public record ChatPrompt(int[] ids, List<ContentPart> mediaParts, int[] placeholderCounts) {
    public ChatPrompt {
        mediaParts = List.copyOf(mediaParts);
    }
}
