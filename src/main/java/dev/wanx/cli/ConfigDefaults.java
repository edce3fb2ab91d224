package dev.wanx.cli;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import picocli.CommandLine;
import picocli.CommandLine.IDefaultValueProvider;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Defaults from the environment and a conf file, so a service can be configured without a long command line.
 * Precedence: command line > environment > conf file > built-in default (picocli asks this provider only for
 * options not given on the command line, and falls back to the annotation's default when it returns null).
 *
 * <ul>
 *   <li>conf file ({@code --config FILE} or {@code WANX_CONFIG}): Java properties, key {@code <command>.<long-option>},
 *       e.g. {@code near.peer=far.example.net:7443}; options of every command (such as {@code log-level}) may also
 *       be given without the command prefix.</li>
 *   <li>environment: {@code WANX_<COMMAND>_<OPTION>}, upper case, dashes as underscores, e.g. {@code WANX_NEAR_PEER};
 *       for options of every command also {@code WANX_<OPTION>} (e.g. {@code WANX_LOG_LEVEL}).
 *       {@code WANX_SOCKS_PASSWORD} sets {@code near --socks-password}.</li>
 * </ul>
 * Repeatable options (--forward, --allow) take several values separated by spaces.
 */
final class ConfigDefaults implements IDefaultValueProvider {
    static final String CONFIG_ENV = "WANX_CONFIG";
    static final String ROOT = "wanx";
    static final String ENVIRONMENT = dev.wanx.config.EffectivePolicy.ENVIRONMENT;
    static final String CONF_FILE = dev.wanx.config.EffectivePolicy.CONF_FILE;

    private final Map<String, String> env;
    private final Properties conf;
    private final Path confPath;

    ConfigDefaults(Map<String, String> env, Properties conf, Path confPath) {
        this.env = env;
        this.conf = conf;
        this.confPath = confPath;
    }

    /** Finds the conf file named by --config (anywhere before "--") or WANX_CONFIG, and reads it. */
    static ConfigDefaults load(String[] args, Map<String, String> env) {
        String file = null;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--")) break;
            if (a.equals("--config") && i + 1 < args.length) file = args[i + 1];
            else if (a.startsWith("--config=")) file = a.substring("--config=".length());
        }
        if (file == null) file = env.get(CONFIG_ENV);
        if (file == null || file.isBlank()) return new ConfigDefaults(env, new Properties(), null);
        Path path = Paths.get(file);
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
            p.load(r);
        } catch (NoSuchFileException e) {
            throw new CliException(ExitCodes.KEY_OR_CONFIG, "config " + path + ": no such file");
        } catch (IOException | IllegalArgumentException e) {
            throw new CliException(ExitCodes.KEY_OR_CONFIG, "config " + path + ": cannot read (" + Failures.describe(e) + ")");
        }
        return new ConfigDefaults(env, p, path);
    }

    Path confPath() { return confPath; }

    @Override public String defaultValue(ArgSpec arg) {
        return lookUp(arg)[0];
    }

    /**
     * Where {@link #defaultValue} finds a value for this option: "environment", "conf file", or null when it has
     * none (the built-in default applies). Tells a value the user chose from a default.
     */
    String sourceOf(ArgSpec arg) {
        return lookUp(arg)[1];
    }

    /** {value, source}, both null when neither the environment nor the conf file sets the option. */
    private String[] lookUp(ArgSpec arg) {
        String[] none = {null, null};
        if (!(arg instanceof OptionSpec)) return none;
        OptionSpec o = (OptionSpec) arg;
        if (o.usageHelp() || o.versionHelp()) return none;
        String opt = optionKey(o);
        if (opt.equals("config")) return none; // read before parsing, see load()
        String cmd = commandKey(o.command());
        boolean everyCommand = o.inherited() || cmd.equals(ROOT);

        String v = env.get(envName(cmd, opt));
        if (v == null && everyCommand) v = env.get("WANX_" + upper(opt));
        if (v == null && cmd.equals("near") && opt.equals("socks-password")) v = env.get("WANX_SOCKS_PASSWORD");
        if (v != null) return new String[] {v, ENVIRONMENT};

        v = conf.getProperty(cmd + "." + opt);
        if (v == null && everyCommand) v = conf.getProperty(opt);
        return v == null ? none : new String[] {v.trim(), CONF_FILE};
    }

    /**
     * Conf keys that match no option are most likely typos ("near.peeer"); silently ignoring them would leave a
     * service running with a default the operator thought was overridden.
     */
    List<String> unknownKeys(CommandLine root) {
        List<String> unknown = new ArrayList<>();
        for (String key : conf.stringPropertyNames()) {
            int dot = key.indexOf('.');
            boolean ok;
            if (dot < 0) {
                ok = hasOption(root.getCommandSpec(), key);
            } else {
                String cmd = key.substring(0, dot);
                String opt = key.substring(dot + 1);
                CommandLine sub = cmd.equals(ROOT) ? root : root.getSubcommands().get(cmd);
                ok = sub != null && hasOption(sub.getCommandSpec(), opt);
            }
            if (!ok) unknown.add(key);
        }
        unknown.sort(null);
        return unknown;
    }

    private static boolean hasOption(CommandSpec spec, String opt) {
        OptionSpec o = spec.findOption("--" + opt);
        return o != null && !o.usageHelp() && !o.versionHelp();
    }

    static String envName(String cmd, String opt) {
        return cmd.equals(ROOT) ? "WANX_" + upper(opt) : "WANX_" + upper(cmd) + "_" + upper(opt);
    }

    private static String optionKey(OptionSpec o) {
        String n = o.longestName();
        int i = 0;
        while (i < n.length() && n.charAt(i) == '-') i++;
        return n.substring(i);
    }

    private static String commandKey(CommandSpec spec) {
        return spec == null || spec.parent() == null ? ROOT : spec.name();
    }

    private static String upper(String s) { return s.toUpperCase(Locale.ROOT).replace('-', '_'); }
}
