#!/usr/bin/perl
# build-mmdb.pl: builds MaxMind DB files (GeoLite2-ASN and GeoLite2-Country
# layouts) from a CSV of network,asn,org,country with Debian's
# libmaxmind-db-writer-perl. For demo, test and private-range databases; it
# does not download anything.
#
#   build-mmdb.pl --csv FILE [--asn OUT.mmdb] [--country OUT.mmdb] [--flat-country]
#
# Lines starting with # and the header line are skipped. --flat-country writes
# {"country_code": "RU"} (the ip-location-db / DB-IP layout) instead of
# MaxMind's {"country": {"iso_code": ...}, "registered_country": {...}}.
use strict;
use warnings;
use Getopt::Long;
use MaxMind::DB::Writer::Tree;

my ($csv, $asn_out, $country_out, $flat);
GetOptions('csv=s' => \$csv, 'asn=s' => \$asn_out, 'country=s' => \$country_out,
           'flat-country' => \$flat) or die "usage: $0 --csv FILE [--asn OUT] [--country OUT] [--flat-country]\n";
die "$0: --csv is required\n" unless $csv;
die "$0: give --asn and/or --country\n" unless $asn_out || $country_out;

my %types = (
    autonomous_system_number => 'uint32', autonomous_system_organization => 'utf8_string',
    country => 'map', registered_country => 'map', iso_code => 'utf8_string',
    country_code => 'utf8_string',
);

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

my $asn_tree = $asn_out ? new_tree('GeoLite2-ASN', 'exclave ASN database built from CSV') : undef;
my $country_tree = $country_out
    ? new_tree('GeoLite2-Country', 'exclave country database built from CSV') : undef;

open my $in, '<:encoding(UTF-8)', $csv or die "$0: $csv: $!\n";
my $rows = 0;
while (my $line = <$in>) {
    $line =~ s/\r?\n\z//;
    next if $line =~ /^\s*(#|$)/ || $line =~ /^network,/;
    my ($network, $asn, $org, $country) = split_csv($line);
    die "$csv:$.: expected network,asn,org,country\n" unless defined $country;
    die "$csv:$.: '$network' is not a CIDR network\n" unless $network =~ m{^[0-9a-fA-F:.]+/\d+$};
    die "$csv:$.: ASN '$asn' is not a number\n" unless $asn =~ /^\d*$/;
    die "$csv:$.: country '$country' is not a 2-letter code\n" unless $country =~ /^([A-Z]{2})?$/;
    if ($asn_tree && length $asn) {
        my %record = (autonomous_system_number => $asn + 0);
        $record{autonomous_system_organization} = $org if length $org;
        $asn_tree->insert_network($network, \%record);
    }
    if ($country_tree && length $country) {
        my %record = $flat ? (country_code => $country)
            : (country => { iso_code => $country }, registered_country => { iso_code => $country });
        $country_tree->insert_network($network, \%record);
    }
    $rows++;
}
die "$0: $csv: no networks\n" unless $rows;

for my $pair ([$asn_tree, $asn_out], [$country_tree, $country_out]) {
    my ($tree, $path) = @$pair;
    next unless $tree;
    open my $out, '>:raw', "$path.tmp" or die "$0: $path.tmp: $!\n";
    $tree->write_tree($out);
    close $out or die "$0: $path.tmp: $!\n";
    rename "$path.tmp", $path or die "$0: $path: $!\n";
}
