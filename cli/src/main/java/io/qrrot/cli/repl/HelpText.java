package io.qrrot.cli.repl;

import io.qrrot.cli.Version;
import io.qrrot.cli.help.CommandCatalog;
import io.qrrot.cli.help.CommandHelp;
import java.util.List;
import java.util.Optional;
import org.jline.utils.AttributedStringBuilder;
import org.jline.utils.AttributedStyle;

/** The REPL's {@code help} output, laid out as redis-cli lays it out; styled where the terminal has colours. */
final class HelpText {
    private HelpText() {
    }

    static AttributedStringBuilder banner() {
        AttributedStringBuilder sb = new AttributedStringBuilder();
        sb.append("qrrot ").append(Version.VERSION).append('\n');
        sb.append("To get help about commands type:\n");
        sb.append("      \"help @<group>\" to get a list of commands in <group>\n");
        sb.append("      \"help <command>\" for help on <command>\n");
        sb.append("      \"help <tab>\" to get a list of possible help topics\n");
        sb.append("      \"ai <request>\" to ask the AI agent (reads run at once; writes only after you confirm)\n");
        sb.append("      \"quit\" to exit\n");
        return sb;
    }

    /** {@code help}, {@code help <command>}, {@code help @<group>}. */
    static AttributedStringBuilder help(List<String> topic, CommandCatalog catalog) {
        if (topic.isEmpty()) {
            return banner();
        }
        AttributedStringBuilder sb = new AttributedStringBuilder();
        String first = topic.get(0);
        if (first.startsWith("@")) {
            List<CommandHelp> group = catalog.inGroup(first.substring(1));
            if (group.isEmpty()) {
                sb.append("no commands in group '").append(first.substring(1)).append("'; groups: ")
                        .append(String.join(", ", catalog.groups())).append('\n');
                return sb;
            }
            for (CommandHelp c : group) {
                entry(sb, c, false);
            }
            sb.append('\n');
            return sb;
        }
        Optional<CommandHelp> c = catalog.match(topic);
        if (c.isEmpty()) {
            sb.append("no help for '").append(String.join(" ", topic))
                    .append("': try \"help @<group>\" or \"help <tab>\"\n");
            return sb;
        }
        entry(sb, c.get(), true);
        sb.append('\n');
        return sb;
    }

    private static void entry(AttributedStringBuilder sb, CommandHelp c, boolean withGroup) {
        sb.append('\n').append("  ");
        sb.styled(AttributedStyle.BOLD, c.name());
        if (!c.syntax().isEmpty()) {
            sb.append(' ');
            sb.styled(AttributedStyle.DEFAULT.foreground(AttributedStyle.BRIGHT + AttributedStyle.BLACK), c.syntax());
        }
        sb.append('\n');
        sb.append("  ").styled(AttributedStyle.DEFAULT.foreground(AttributedStyle.YELLOW), "summary:")
                .append(' ').append(c.summary()).append('\n');
        if (withGroup) {
            sb.append("  ").styled(AttributedStyle.DEFAULT.foreground(AttributedStyle.YELLOW), "group:")
                    .append(' ').append(c.group()).append('\n');
        }
    }
}
