#!/usr/bin/perl
# build-mmdb.pl: builds MaxMind DB files (GeoLite2-ASN and GeoLite2-Country
# layouts) with Debian's libmaxmind-db-writer-perl, from two kinds of CSV:
#
#   --csv FILE             your own networks: network,asn,org,country
#   --asn-ranges FILE      third-party ranges: first,last,asn,org
#   --country-ranges FILE  third-party ranges: first,last,country
#
#   build-mmdb.pl [--csv FILE] [--asn-ranges FILE]... [--country-ranges FILE]...
#                 [--asn OUT.mmdb] [--country OUT.mmdb] [--flat-country]
#
# Range files are inserted in the order given, and --csv last, so your own
# networks win over third-party data. A malformed line in your own CSV stops
# the build with FILE:LINE; in third-party files it is skipped, counted and
# the first few are named. Ranges inside the networks the writer aliases to
# IPv4 (::ffff:0:0/96, 2001::/32, 2002::/16) are skipped and counted. It does
# not download anything and leaves the output untouched on failure.
#
# --flat-country writes {"country_code": "RU"} (the ip-location-db / DB-IP
# layout) instead of MaxMind's {"country": {"iso_code": ...},
# "registered_country": {...}}.
use strict;
use warnings;
use Getopt::Long;
use MaxMind::DB::Writer::Tree;
use Socket qw(inet_pton AF_INET AF_INET6);
use Encode ();
use File::Basename qw(basename);

my $usage = "usage: $0 [--csv FILE] [--asn-ranges FILE]... [--country-ranges FILE]..."
    . " [--asn OUT] [--country OUT] [--flat-country]\n";
my ($csv, $asn_out, $country_out, $flat, @asn_ranges, @country_ranges);
GetOptions('csv=s' => \$csv, 'asn=s' => \$asn_out, 'country=s' => \$country_out,
           'flat-country' => \$flat, 'asn-ranges=s' => \@asn_ranges,
           'country-ranges=s' => \@country_ranges) or die $usage;
die "$0: give --csv, --asn-ranges or --country-ranges\n$usage"
    unless $csv || @asn_ranges || @country_ranges;
die "$0: give --asn and/or --country\n$usage" unless $asn_out || $country_out;
die "$0: --asn-ranges needs --asn\n" if @asn_ranges && !$asn_out;
die "$0: --country-ranges needs --country\n" if @country_ranges && !$country_out;

my %types = (
    autonomous_system_number => 'uint32', autonomous_system_organization => 'utf8_string',
    country => 'map', registered_country => 'map', iso_code => 'utf8_string',
    country_code => 'utf8_string',
);
my $WARNINGS_PER_FILE = 5;
# The writer mis-encodes a string of exactly 285 bytes (its size header
# wraps), so organisation names and descriptions are kept under that.
my $STRING_BYTES_MAX = 255;

# Cuts a character string to at most $STRING_BYTES_MAX bytes of UTF-8.
sub fit_string {
    my ($text) = @_;
    chop $text while length(Encode::encode('UTF-8', $text)) > $STRING_BYTES_MAX;
    return $text;
}

sub new_tree {
    my ($type, $description) = @_;
    return MaxMind::DB::Writer::Tree->new(
        ip_version => 6, record_size => 28, database_type => $type,
        languages => ['en'], description => { en => $description },
        map_key_type_callback => sub { $types{ $_[0] } // die "$0: no type for key $_[0]\n" },
        remove_reserved_networks => 0, alias_ipv6_to_ipv4 => 1,
    );
}

# Splits one CSV line; a field may be quoted, with "" for a literal quote.
sub split_csv {
    my ($line) = @_;
    my @fields = ('');
    my $quoted = 0;
    for (my $i = 0; $i < length $line; $i++) {
        my $c = substr($line, $i, 1);
        if ($quoted && $c eq '"' && substr($line, $i + 1, 1) eq '"') { $fields[-1] .= '"'; $i++ }
        elsif ($c eq '"') { $quoted = !$quoted }
        elsif ($c eq ',' && !$quoted) { push @fields, '' }
        else { $fields[-1] .= $c }
    }
    return @fields;
}

sub country_record {
    my ($country) = @_;
    return $flat ? { country_code => $country }
        : { country => { iso_code => $country }, registered_country => { iso_code => $country } };
}

# An address as 16 bytes (IPv4 mapped into ::/96, as the tree stores it), or
# undef when it is not an address.
sub packed_address {
    my ($text) = @_;
    if ($text =~ /^\d+\.\d+\.\d+\.\d+$/) {
        my $v4 = inet_pton(AF_INET, $text);
        return defined $v4 ? ("\0" x 12) . $v4 : undef;
    }
    return $text =~ /:/ ? inet_pton(AF_INET6, $text) : undef;
}

# True for ADDRESS/LENGTH with a length that fits the address.
sub is_network {
    my ($text) = @_;
    my ($address, $length) = $text =~ m{^([0-9a-fA-F:.]+)/(\d{1,3})$} or return 0;
    my $packed = $address =~ /:/ ? inet_pton(AF_INET6, $address)
        : $address =~ /^\d+\.\d+\.\d+\.\d+$/ ? inet_pton(AF_INET, $address) : undef;
    return defined $packed && $length <= 8 * length $packed;
}

# True when the IPv6 range touches a network the writer aliases to IPv4.
my @aliased = map { [ packed_address($_->[0]), packed_address($_->[1]) ] }
    (['::ffff:0:0', '::ffff:ffff:ffff'], ['2001::', '2001:0:ffff:ffff:ffff:ffff:ffff:ffff'],
     ['2002::', '2002:ffff:ffff:ffff:ffff:ffff:ffff:ffff']);
sub touches_aliased {
    my ($first, $last) = @_;
    for my $alias (@aliased) {
        return 1 if $first le $alias->[1] && $last ge $alias->[0];
    }
    return 0;
}

# Reads one third-party range file into the tree. $make_record turns the
# fields after first,last into a record, or returns an error string.
sub insert_range_file {
    my ($tree, $path, $make_record) = @_;
    my %count = (rows => 0, malformed => 0, aliased => 0, overlapping => 0);
    my $highest_last = '';
    open my $in, '<:encoding(UTF-8)', $path or die "$0: $path: $!\n";
    while (my $line = <$in>) {
        $line =~ s/\r?\n\z//;
        next if $line =~ /^\s*(#|$)/;
        my ($first_text, $last_text, @rest) = split_csv($line);
        my ($first, $last) = map { packed_address($_ // '') } ($first_text, $last_text);
        my $made = $make_record->(@rest);
        my $problem = !defined $first || !defined $last ? 'not an address range'
            : $first gt $last ? 'first address after last'
            : !ref $made ? $made : undef;
        if ($problem) {
            warn "$0: $path:$.: $problem, line skipped\n" if $count{malformed}++ < $WARNINGS_PER_FILE;
            next;
        }
        if (touches_aliased($first, $last)) { $count{aliased}++; next; }
        $count{overlapping}++ if $first le $highest_last;
        $highest_last = $last if $last gt $highest_last;
        $tree->insert_range($first_text, $last_text, $made);
        $count{rows}++;
    }
    close $in;
    die "$0: $path: no ranges\n" unless $count{rows};
    warn "$0: $path: $count{rows} ranges; skipped $count{malformed} malformed, "
        . "$count{aliased} inside IPv4-aliased IPv6 networks; $count{overlapping} overlap an "
        . "earlier range (the later one wins)\n";
}

sub asn_range_record {
    my ($asn, $org) = @_;
    return 'ASN is not a number' unless defined $asn && $asn =~ /^\d{1,10}$/ && $asn <= 4294967295;
    my %record = (autonomous_system_number => $asn + 0);
    $record{autonomous_system_organization} = fit_string($org) if defined $org && length $org;
    return \%record;
}

sub country_range_record {
    my ($country) = @_;
    return 'country is not a 2-letter code' unless defined $country && $country =~ /^[A-Z]{2}$/;
    return country_record($country);
}

# Reads your own network,asn,org,country file; any malformed line is fatal.
# Read before the (slow) third-party files, so a mistake stops the build at once.
sub read_own_networks {
    my ($path) = @_;
    open my $in, '<:encoding(UTF-8)', $path or die "$0: $path: $!\n";
    my @rows;
    while (my $line = <$in>) {
        $line =~ s/\r?\n\z//;
        next if $line =~ /^\s*(#|$)/ || $line =~ /^network,/;
        my ($network, $asn, $org, $country) = split_csv($line);
        die "$path:$.: expected network,asn,org,country\n" unless defined $country;
        die "$path:$.: '$network' is not a CIDR network\n" unless is_network($network);
        die "$path:$.: ASN '$asn' is not an AS number (0 to 4294967295)\n" unless $asn =~ /^\d{0,10}$/ && $asn <= 4294967295;
        die "$path:$.: country '$country' is not a 2-letter code\n" unless $country =~ /^([A-Z]{2})?$/;
        push @rows, [$network, $asn, $org, $country];
    }
    die "$0: $path: no networks\n" unless @rows;
    return \@rows;
}

sub insert_own_networks {
    my ($asn_tree, $country_tree, $rows) = @_;
    for my $row (@$rows) {
        my ($network, $asn, $org, $country) = @$row;
        if ($asn_tree && length $asn) {
            my %record = (autonomous_system_number => $asn + 0);
            $record{autonomous_system_organization} = fit_string($org) if length $org;
            $asn_tree->insert_network($network, \%record);
        }
        $country_tree->insert_network($network, country_record($country))
            if $country_tree && length $country;
    }
}

# Writes next to the target and renames, so a reader never sees half a file.
sub write_database {
    my ($tree, $path) = @_;
    open my $out, '>:raw', "$path.tmp" or die "$0: $path.tmp: $!\n";
    $tree->write_tree($out);
    close $out or die "$0: $path.tmp: $!\n";
    rename "$path.tmp", $path or die "$0: $path: $!\n";
}

my $sources = join(', ', map { basename($_) } @asn_ranges, @country_ranges, $csv // ());
my $asn_tree = $asn_out ? new_tree('GeoLite2-ASN', fit_string("exclave ASN database built from $sources")) : undef;
my $country_tree = $country_out
    ? new_tree('GeoLite2-Country', fit_string("exclave country database built from $sources")) : undef;

my $own_networks = $csv ? read_own_networks($csv) : [];
insert_range_file($asn_tree, $_, \&asn_range_record) for @asn_ranges;
insert_range_file($country_tree, $_, \&country_range_record) for @country_ranges;
insert_own_networks($asn_tree, $country_tree, $own_networks);

write_database($asn_tree, $asn_out) if $asn_tree;
write_database($country_tree, $country_out) if $country_tree;
